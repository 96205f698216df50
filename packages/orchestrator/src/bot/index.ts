export { findLatestPrRequest } from './pr-request-lookup.js';
export type { PrRequestView } from './pr-request-lookup.js';
export type { ApprovePr } from './approve-pr.js';
export { approvePrInProcess } from './approve-pr-in-process.js';
