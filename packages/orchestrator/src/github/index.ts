export { requestOpenPr } from '../pr-gate/request-open-pr.js';
export type { RequestOpenPrInput, RequestOpenPrDeps, RequestOpenPrResult } from '../pr-gate/request-open-pr.js';
export { approveOpenPr } from '../pr-gate/approve-open-pr.js';
export type { ApproveOpenPrInput, ApproveOpenPrDeps, ApproveOpenPrResult } from '../pr-gate/approve-open-pr.js';
export { dodGateForRun } from '../pr-gate/dod-gate.js';
export { newConfirmToken, hashConfirmToken, confirmTokenMatches, CONFIRM_TOKEN_BYTES } from '../pr-gate/confirm-token.js';
export { workspaceGit, ownerFromRemoteUrl, runGit } from '../pr-gate/git.js';
export type { WorkspaceGit, GitOutput } from '../pr-gate/git.js';
export { applyGithubFact, pushedHead, rollupKey } from '../github-sync/github-events.js';
export type { RollupTask, GithubFactResult } from '../github-sync/github-events.js';
export { handleWebhookDelivery, handleWebhookDeliveries } from '../github-sync/handle-webhook-delivery.js';
export type { WebhookDeliveryInput, WebhookDeliveryResult, DeliveryOutcome, UnmatchedResult } from '../github-sync/handle-webhook-delivery.js';
export { applyCheckRollup } from '../github-sync/apply-check-rollup.js';
export type { RollupOutcome } from '../github-sync/apply-check-rollup.js';
export { syncGithub, syncGithubLoop, SYNC_STATES } from '../github-sync/sync-github.js';
export type { SyncGithubInput, SyncGithubReport, SyncRunResult, SyncFailure, SyncDecision, SyncGithubLoopOptions } from '../github-sync/sync-github.js';
export { openAuditLog, truncateAuditField, AUDIT_FIELD_MAX_CHARS } from './audit-log.js';
export type { AuditLog, AuditLogOptions } from './audit-log.js';
export { createWebhookMetrics, LATENCY_BUCKETS } from './webhook-metrics.js';
export type { WebhookMetrics } from './webhook-metrics.js';
export { createAuditRateLimiter } from './audit-rate-limiter.js';
export type { AuditRateLimiter, AuditRateLimiterOptions, SuppressedAudit } from './audit-rate-limiter.js';
export { createWebhookAdmission } from './webhook-admission.js';
export type { WebhookAdmission, WebhookAdmissionOptions, WebhookTicket } from './webhook-admission.js';
export { webhookClientAddress } from './webhook-client-address.js';
export { startWebhookMetricsServer, isLoopbackHost } from './webhook-metrics-server.js';
export type { WebhookMetricsServer, WebhookMetricsServerOptions } from './webhook-metrics-server.js';
export {
  startWebhookServer,
  normaliseWebhookPath,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONCURRENT_PER_CLIENT,
  DEFAULT_MAX_UNVERIFIED_BYTES,
} from './webhook-server.js';
export type { WebhookServerOptions, WebhookServer } from './webhook-server.js';
export { webhookAuditSummary, readTailLines } from '../github-sync/webhook-audit-summary.js';
export type { WebhookAuditSummaryInput, WebhookAuditSummary } from '../github-sync/webhook-audit-summary.js';
export { cleanupWebhookDeliveries } from '../github-sync/cleanup-webhook-deliveries.js';
