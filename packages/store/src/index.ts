export type {
  Database,
  Db,
  RunsTable,
  RunStatesTable,
  EventsTable,
  StepAttemptsTable,
  ArtifactsTable,
  WebhookDeliveriesTable,
  PrRequestsTable,
  RunLeasesTable,
  AuditRecordsTable,
  BotStateTable,
  RunRow,
  RunStateRow,
  EventRow,
  StepAttemptRow,
  ArtifactRow,
  WebhookDeliveryRow,
  PrRequestRow,
  NewPrRequest,
  LeaseRow,
  ServiceLeaseRow,
  ServiceLeasesTable,
  AuditRecordRow,
} from './schema.js';
export { StoreError, runNotFound } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { iso, systemClock } from './time.js';
export type { Clock } from './time.js';
export { openDatabase, inTransaction, dialectOf, redactUrl, isPostgresUrl, SQLITE_BUSY_TIMEOUT_MS } from './dialect.js';
export type { DialectName, DatabaseLocation, OpenDatabase } from './dialect.js';
export { ensureSchema, knownMigrationNames } from './migrate.js';
export type { SchemaStatus } from './migrate.js';
export { openStore, resolveLocation } from './store.js';
export type { StoreLocationInput } from './store.js';
export { CAMPAIGN_NAME_MAX_LENGTH, createRun, createRuns, getRun, requireRun, listRuns, listActiveRuns, countRunsByState, findRunByPr } from './runs.js';
export type { NewRun, RunListItem, RunWithState } from './runs.js';
export { applyEvent, applyEvents, listEvents, lockRun, resultObject, pushedHead } from './events.js';
export type { EventInput, ApplyResult, StoredEvent } from './events.js';
export { recordAttempt, attemptSucceeded, ATTEMPT_HISTORY_LIMIT, setAttemptVerdict, listAttempts, boundLog, normaliseAttempt, MAX_LOG_BYTES } from './attempts.js';
export type { NewAttempt, AttemptUsage } from './attempts.js';
export { addArtifact, latestArtifact, listArtifacts, listArtifactsByType, updateArtifactMetadata } from './artifacts.js';
export type { Artifact } from './artifacts.js';
export { acquireLease, renewLease, releaseLease, expireLeases, getLease, withLease, leaseHolder } from './leases.js';
export type { LeaseResult } from './leases.js';
export { acquireServiceLease, renewServiceLease, releaseServiceLease, getServiceLease } from './service-leases.js';
export type { ServiceLeaseResult } from './service-leases.js';
export { resolveHostId, holderOrigin, HOST_ID_PATTERN } from './host-id.js';
export { setWorkspaceHost, getRunPlacement, workspaceRelFor, checkWorkspaceRel, resolveWorkspaceDir, describePlacement, WORKSPACE_REL_MAX_LENGTH } from './run-placement.js';
export type { RunPlacement, PlacementLease, PlacementView } from './run-placement.js';
export { getBotState, setBotState, addAuditRecord, listAuditRecords } from './misc.js';
export { insertGateCheck, listGateChecks, latestGateChecks } from './gate-checks.js';
export type { NewGateCheck } from './gate-checks.js';
export {
  claimDelivery,
  finishDelivery,
  getDelivery,
  listDeliveries,
  deleteDeliveriesBefore,
  findDeliveryRun,
  getDeliveryRun,
  findDeliveryRunsByHead,
  recordDeliveryEvent,
  kyselyDeliveryExecutor,
  openSqliteDeliveryWriter,
} from './webhook-deliveries.js';
export type { NewDelivery, ClaimResult, DeliveryRun, DeliveryEvent, DeliveryExecutor, SqliteDeliveryWriter } from './webhook-deliveries.js';
export { lookupDelivery, insertSettledDelivery } from './webhook-deliveries.js';
export { insertPrRequest, getPrRequestByFile, latestPrRequest, consumePrRequest } from './pr-requests.js';
export { openSqliteReader } from './sqlite-reader.js';
export type { SqliteReader } from './sqlite-reader.js';
export { MIGRATION_NAMES } from './migrations/names.js';
export { getManagerRun, saveManagerRun, listManagerRuns } from './manager-runs.js';
export type { ManagerRunRow, ManagerRunsTable } from './schema.js';
export type { RepoPolicyCheckRow, RepoPolicyChecksTable, RunGateCheckRow, RunGateChecksTable, PrActivityRow, PrActivityTable } from './schema.js';
export { managerCandidates, managerCandidateRuns, candidateRankNow, lastHumanCommandAt, managerRetriesSince, runActivityMarks, MANAGER_WORKABLE_STATES, type Candidate, type CandidateFilter, type CandidateRank, type RunActivityMarks } from './manager-queries.js';
export { runsByLatestAttempt } from './attempt-activity.js';
export { runsChangedSince, newestEventId, newestPrRequestId, prRequestsAfter, hasNewerPrRequest, type StateChangeCursor, type ChangedRun, type AnnouncedPrRequest } from './notification-queries.js';
export { mergeEvidence, type MergeEvidence } from './merge-evidence.js';
export type { RunListFilter } from './run-list-filter.js';
export { getPrRequest, pendingPrRequests } from './pr-requests.js';
export type { PendingPrRequest } from './pr-requests.js';
export { linkedOpenPr, prRequestForHead, type HeadPrRequest } from './manager-pr-facts.js';
export {
  recordAssistantRequest,
  assistantTokensSince,
  listAssistantRequests,
  assistantUsage,
  insertAssistantAction,
  getAssistantActionByTokenHash,
  settleAssistantAction,
} from './assistant.js';
export type {
  AssistantRequestRecord,
  AssistantActionRecord,
  AssistantRequestsTable,
  AssistantActionsTable,
  AssistantRequestFilter,
  AssistantUsageKey,
  AssistantUsageRow,
} from './assistant.js';
export {
  recordPrOpened,
  getPrActivity,
  notePrChecked,
  claimFollowup,
  recordFollowupComment,
  claimStaleClose,
  markPrMerged,
  markPrClosed,
  recordRejection,
  listPrActivity,
  runsWithUnrecordedPr,
  REJECTION_EVIDENCE_MAX,
} from './pr-activity.js';
export type { PrKey, PrOpened, PrResponses, PrSweepRow, UnrecordedPr } from './pr-activity.js';
export { openAgentPrs, prOpeningsSince, recentRepoGateChecks, type OpenAgentPrRow, type OpenAgentPrFilter, type RepoGateCheck } from './etiquette-queries.js';
export { campaignNames, campaignRunFacts, campaignUsage, runUsage } from './campaign-queries.js';
export type { CampaignFilter, CampaignRunFacts, UsageSums, RunUsageSums } from './campaign-queries.js';
export { readRunFactsSqlite, type RunFacts } from './sqlite-run-facts.js';
export { listRunCampaigns, campaignHasRuns } from './run-campaigns.js';
export { insertRepoPolicyCheck, latestRepoPolicyCheck, type NewRepoPolicyCheck, type RepoPolicyCheck } from './repo-policy-checks.js';
export { setLinkedIssue } from './linked-issue.js';
export { openReadOnlyStore } from './read-only-store.js';
export { dashboardRunPage, runStatesOverTime, timeInStates, webhookDeliveriesOverTime } from './dashboard-queries.js';
export type { RunSort, RunPageQuery, RunPageRow, RunPage, TimeBucketQuery, StateCountsBucket, StateDuration, DeliveryBucket } from './dashboard-queries.js';
export { RUN_PAGE_MAX_LIMIT, SORT_MATCHES_MAX } from './dashboard-run-page.js';
export { listAttemptSummaries, type AttemptSummary, type AttemptSummaryWithStderrTail, type AttemptSummaryOptions } from './attempts.js';
