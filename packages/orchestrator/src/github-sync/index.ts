export { syncGithub, syncGithubLoop, SYNC_STATES } from './sync-github.js';
export type { SyncGithubInput, SyncGithubReport, SyncRunResult, SyncFailure, SyncDecision, SyncGithubLoopOptions } from './sync-github.js';
export { syncGithubReport, syncFailures } from './sync-github.js';
export type { SyncGithubResult, SyncGithubLoopResult, SyncRunOutcome, SyncEventOutcome, SyncSkipped, SyncPassFailed, SyncEventDocument } from './sync-github.js';
