export { requestOpenPr, requestOpenPrReport } from './request-open-pr.js';
export type { RequestOpenPrInput, RequestOpenPrResult } from './request-open-pr.js';
export { approveOpenPr, approveOpenPrReport } from './approve-open-pr.js';
export type { ApproveOpenPrInput, ApproveOpenPrOptions, ApproveOpenPrResult, ApproveOpenPrReport, OpenedPullRequest } from './approve-open-pr.js';
export { dodGateForRun, dodGateDocument } from './dod-gate.js';
export type { DodGateVerdict, DodSnapshot } from './dod-gate.js';
export { newConfirmToken, hashConfirmToken, confirmTokenMatches, CONFIRM_TOKEN_BYTES } from './confirm-token.js';
