import type { Generated, Insertable, Kysely, Selectable } from 'kysely';
import type { AssistantActionsTable, AssistantRequestsTable } from './assistant.js';

/** `runs`: one row per target repository attempt. `owner_key`/`repo_key` are lower-cased for case-insensitive matching. */
export interface RunsTable {
  run_id: string;
  owner: string;
  repo: string;
  owner_key: string;
  repo_key: string;
  prompt_version: string;
  mode: string;
  budget_json: string;
  /** The absolute workspace path where the run was first created (display and compatibility; see `workspace_rel`). */
  workspace_dir: string;
  /** The workspace relative to any host's workspace root: `<owner>/<repo>/<run_id>` (`resolveWorkspaceDir` places it). */
  workspace_rel: string;
  pr_number: number | null;
  /** The campaign the run was created under (its `campaign.json` name); null for runs created before it was recorded. */
  campaign: string | null;
  /** The upstream issue the run is tied to (`link-issue`); required before a PR request where a repository asks for an issue first. */
  linked_issue: number | null;
  created_at: string;
  updated_at: string;
}

/** `run_states`: the current state of a run (1:1 with runs). */
export interface RunStatesTable {
  run_id: string;
  current_state: string;
  last_error: string | null;
  last_active_state: string | null;
  /** GitHub facts held while the run is PAUSED or NEEDS_HUMAN_REVIEW (JSON, see `parseHeldFacts`); null when none. */
  held_facts_json: string | null;
  /** The state a PAUSED run was paused from; read only while the run is PAUSED (null before it was recorded). */
  paused_from: string | null;
  /** A copy of `runs.campaign` (set once, at creation), the key of the per-campaign list index. */
  campaign: string | null;
  /** The grade of the run's newest graded attempt (PASS / RETRYABLE / HUMAN_REVIEW); null before one. Kept by `recordAttempt` and `setAttemptVerdict`. */
  last_verdict: string | null;
  /** The host id (`resolveHostId`) that last held the run's workspace; null until one recorded it (`setWorkspaceHost`). */
  workspace_host: string | null;
  /** When `workspace_host` last recorded it. */
  workspace_host_at: string | null;
  updated_at: string;
}

/** `events`: the append-only event log; (run_id, idempotency_key) is unique. */
export interface EventsTable {
  event_id: Generated<number>;
  run_id: string;
  event_type: string;
  idempotency_key: string;
  payload_json: string;
  /** 1 when the event changed the run; 0 when it was stored without effect (`reason` says why). */
  applied: number;
  reason: string | null;
  actor: string | null;
  created_at: string;
  /** The run's state before this event when it was applied (null when stored without effect, and for `command.run.create`). */
  from_state: string | null;
  /** The run's state after this event when it was applied (null when stored without effect; `command.run.create` leaves it null: QUEUED). */
  to_state: string | null;
}

/** `step_attempts`: one row per execution of a step; logs are bounded tails. */
export interface StepAttemptsTable {
  id: Generated<number>;
  run_id: string;
  step: string;
  attempt_no: number;
  exit_code: number;
  stdout_log: string;
  stderr_log: string;
  duration_ms: number;
  grade: string | null;
  reason_code: string | null;
  stage: string | null;
  /** The agent engine of an agent attempt (`codex`, later `claude`); null for other steps and older attempts. */
  engine: string | null;
  /** The model the engine used, when known. */
  model: string | null;
  /** Token usage reported by the engine (null when it reported none). Cost comes from the policy's price table when read. */
  input_tokens: number | null;
  cached_input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  created_at: string;
}

/** `artifacts`: files and facts a run produced. */
export interface ArtifactsTable {
  id: Generated<number>;
  run_id: string;
  artifact_type: string;
  uri: string;
  metadata_json: string;
  created_at: string;
}

/** `webhook_deliveries`: one row per processed delivery; the unique key makes processing exactly-once. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  source: string;
  delivery_id: string;
  event_type: string;
  payload_sha256: string;
  received_at: string;
  /** processed | ignored | refused | … (null while reserved). */
  outcome: string | null;
  detail_json: string | null;
}

/** `pr_requests`: PR-open requests bound to a head SHA, with a hashed single-use confirm token. */
export interface PrRequestsTable {
  id: Generated<number>;
  run_id: string;
  request_file: string;
  title: string;
  body: string;
  base: string;
  head: string;
  head_owner: string;
  head_sha: string;
  draft: number;
  confirm_token_sha256: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

/** `run_leases`: who works on a run right now, until when. */
export interface RunLeasesTable {
  run_id: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** `service_leases`: named leases for singletons across hosts (one Telegram poller per token), by name. */
export interface ServiceLeasesTable {
  name: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** `audit_records`: operator-relevant decisions such as a DoD bypass. */
export interface AuditRecordsTable {
  id: Generated<number>;
  kind: string;
  run_id: string | null;
  actor: string | null;
  detail_json: string;
  created_at: string;
}

/** `bot_state`: small key/value state, e.g. the Telegram update offset per bot. */
export interface BotStateTable {
  key: string;
  value: string;
}

/** `manager_runs`: the manager loop's memory per run. */
export interface ManagerRunsTable {
  run_id: string;
  last_action: string | null;
  last_fingerprint: string | null;
  consecutive_failures: number;
  next_attempt_at: string | null;
  last_sync_at: string | null;
  updated_at: string;
}

/** `repo_policy_checks`: one classification of a repository's stance on AI contributions (newest wins). */
export interface RepoPolicyChecksTable {
  id: Generated<number>;
  owner: string;
  repo: string;
  owner_key: string;
  repo_key: string;
  /** `forbidden` | `disclosure_required` | `issue_first` | `allowed` | `unknown`. */
  stance: string;
  /** JSON array of `{ path, quote, rule }`: the sentences the stance relied on. */
  evidence_json: string;
  /** JSON array of `{ path, kind, sha, bytes }`: every contribution document read. */
  documents_json: string;
  checked_at: string;
}

/** `run_gate_checks`: one verdict of a gate on a run. */
export interface RunGateChecksTable {
  id: Generated<number>;
  run_id: string;
  /** `ai_policy` | `duplicates` | `etiquette`. */
  gate: string;
  /** `prepare` | `pr_request` | `pr_approve` | `manager`. */
  phase: string;
  /** `pass` | `blocked` | `held` | `skip_run` | `overridden`. */
  outcome: string;
  reason_code: string | null;
  message: string;
  /** JSON object: evidence links, quotes, the limit and when it frees, … */
  detail_json: string;
  /** 1 when an operator overrode a block (`--allow-duplicate`, `--ignore-limits`). */
  override: number;
  actor: string | null;
  created_at: string;
}

/** `pr_activity`: a run's PR as maintainers see it. */
export interface PrActivityTable {
  run_id: string;
  owner_key: string;
  repo_key: string;
  campaign: string | null;
  pr_number: number;
  pr_url: string | null;
  opened_at: string;
  first_response_at: string | null;
  last_maintainer_activity_at: string | null;
  followup_at: string | null;
  followup_comment_id: string | null;
  closed_at: string | null;
  merged_at: string | null;
  stale_closed_at: string | null;
  /** `duplicate` | `unwanted_change` | `ai_policy` | `ci_failing` | `no_response` | `other` (closed unmerged only). */
  rejection_category: string | null;
  rejection_evidence: string | null;
  checked_at: string | null;
  updated_at: string;
}

/** The whole database, for kysely. */
export interface Database {
  runs: RunsTable;
  run_states: RunStatesTable;
  events: EventsTable;
  step_attempts: StepAttemptsTable;
  artifacts: ArtifactsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  pr_requests: PrRequestsTable;
  run_leases: RunLeasesTable;
  service_leases: ServiceLeasesTable;
  audit_records: AuditRecordsTable;
  bot_state: BotStateTable;
  manager_runs: ManagerRunsTable;
  assistant_requests: AssistantRequestsTable;
  assistant_actions: AssistantActionsTable;
  repo_policy_checks: RepoPolicyChecksTable;
  run_gate_checks: RunGateChecksTable;
  pr_activity: PrActivityTable;
}

/** The kysely handle (or a transaction) every repository function takes first. */
export type Db = Kysely<Database>;

export type RunRow = Selectable<RunsTable>;
export type RunStateRow = Selectable<RunStatesTable>;
export type EventRow = Selectable<EventsTable>;
export type StepAttemptRow = Selectable<StepAttemptsTable>;
export type ArtifactRow = Selectable<ArtifactsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type PrRequestRow = Selectable<PrRequestsTable>;
export type NewPrRequest = Insertable<PrRequestsTable>;
export type LeaseRow = Selectable<RunLeasesTable>;
export type ServiceLeaseRow = Selectable<ServiceLeasesTable>;
export type AuditRecordRow = Selectable<AuditRecordsTable>;
export type ManagerRunRow = Selectable<ManagerRunsTable>;
export type RepoPolicyCheckRow = Selectable<RepoPolicyChecksTable>;
export type RunGateCheckRow = Selectable<RunGateChecksTable>;
export type PrActivityRow = Selectable<PrActivityTable>;
