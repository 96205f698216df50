export { findLatestPrRequest } from './pr-request-lookup.js';
export type { PrRequestView } from './pr-request-lookup.js';
export type { ApprovePr } from './approve-pr.js';
export { approvePrInProcess } from './approve-pr-in-process.js';
export { prRequestCard } from './pr-request-card.js';
export type { PrRequestCard } from './pr-request-card.js';
export { agentAttemptLines, attemptEngineText, BOT_AGENT_ATTEMPTS } from './run-attempts-text.js';
