import { readFile } from 'node:fs/promises';
import type { RunState, StepName } from '@agentpr/state-machine';
import { applyEvents, latestArtifact, listArtifacts, recordAttempt, type Db } from '@agentpr/store';
import {
  compareProtected,
  describeProtectedChanges,
  loadCampaign,
  parseProtectedSnapshot,
  protectedDigest,
  snapshotProtected,
  WorkspaceError,
  type Campaign,
  type ProtectedChange,
  type ProtectedSnapshot,
} from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** The `workspace_prepared` artefact's metadata. */
export interface WorkspacePreparedMetadata {
  base_branch: string;
  base_sha: string;
  feature_branch: string;
  fork_owner: string;
}

/** The largest snapshot (as JSON) kept whole in the `workspace_prepared` metadata; bigger keeps the digest only. */
const MAX_STORED_SNAPSHOT_CHARS = 256 * 1024;

/**
 * The `workspace_prepared` metadata keys that record the protected files right after prepare:
 * `protected_digest` always, `protected_snapshot` when it is small enough to store.
 */
export function protectedMetadata(snapshot: ProtectedSnapshot): { protected_digest: string; protected_snapshot?: ProtectedSnapshot } {
  const digest = protectedDigest(snapshot);
  if (JSON.stringify(snapshot).length > MAX_STORED_SNAPSHOT_CHARS) return { protected_digest: digest };
  return { protected_digest: digest, protected_snapshot: snapshot };
}

/** The protected-file baseline recorded by the latest run-prepare. */
export interface ProtectedBaseline {
  digest: string;
  /** Absent when the snapshot was too large to store; then only the digest can be compared. */
  snapshot: ProtectedSnapshot | undefined;
}

/**
 * The protected-file baseline of a run: what its latest `workspace_prepared` artefact recorded, or
 * undefined when the run was never prepared or was prepared before agentpr recorded one.
 */
export async function protectedBaseline(db: Db, runId: string): Promise<ProtectedBaseline | undefined> {
  const artifact = await latestArtifact(db, runId, 'workspace_prepared');
  const digest = artifact?.metadata.protected_digest;
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) return undefined;
  const snapshot = parseProtectedSnapshot(artifact?.metadata.protected_snapshot);
  return { digest, snapshot: snapshot && protectedDigest(snapshot) === digest ? snapshot : undefined };
}

/** The outcome of {@link verifyProtectedFiles}. */
export type ProtectedCheck =
  | { ok: true; snapshot: ProtectedSnapshot }
  | { ok: false; reason: 'protected_file_changed'; message: string; changes: ProtectedChange[]; snapshot: ProtectedSnapshot }
  | { ok: false; reason: 'protected_baseline_missing'; message: string; changes: []; snapshot: ProtectedSnapshot };

/**
 * Compares the workspace's protected files (`.git/config`, `.git/hooks`, `.git/info`, `.gitmodules`,
 * risky `.gitattributes`, `.github/workflows/**` unless allowed) with the run-prepare baseline, WITHOUT
 * running git. Call it before any git command after the agent had the workspace: a change means agentpr's
 * own git could run the agent's code, so the attempt is held for human review and nothing is committed.
 *
 * @example
 * const check = await verifyProtectedFiles(ctx.db, runId, repoDir, { allowWorkflowChanges: campaign.allow_workflow_changes });
 * if (!check.ok) return holdForReview(check.reason, check.message, check.changes);
 */
export async function verifyProtectedFiles(db: Db, runId: string, repoDir: string, options: { allowWorkflowChanges: boolean }): Promise<ProtectedCheck> {
  const [baseline, current] = await Promise.all([protectedBaseline(db, runId), snapshotProtected(repoDir)]);
  if (baseline === undefined) {
    return {
      ok: false,
      reason: 'protected_baseline_missing',
      message: `run ${runId} has no protected-file baseline (its workspace was prepared by an older agentpr or never); run run-prepare again.`,
      changes: [],
      snapshot: current,
    };
  }
  const changes: ProtectedChange[] = baseline.snapshot
    ? compareProtected(baseline.snapshot, current, { allowWorkflowChanges: options.allowWorkflowChanges })
    : protectedDigest(current) === baseline.digest
      ? []
      : [{ path: '.', kind: 'git_dir', change: 'unverifiable' }];
  if (changes.length === 0) return { ok: true, snapshot: current };
  return {
    ok: false,
    reason: 'protected_file_changed',
    message: `${describeProtectedChanges(changes)}; nothing was committed or pushed. Review the workspace ${repoDir} by hand.`,
    changes,
    snapshot: current,
  };
}

/** The last `n` lines of a text, trimmed. */
export function tail(text: string, n = 20): string {
  const trimmed = text.trim();
  return trimmed === '' ? '' : trimmed.split('\n').slice(-n).join('\n');
}

/** The latest `workspace_prepared` metadata of a run, if any. */
export async function preparedWorkspace(db: Db, runId: string): Promise<WorkspacePreparedMetadata | undefined> {
  const artifact = await latestArtifact(db, runId, 'workspace_prepared');
  const m = artifact?.metadata;
  if (!m || typeof m.base_sha !== 'string' || m.base_sha === '') return undefined;
  return {
    base_branch: String(m.base_branch ?? ''),
    base_sha: m.base_sha,
    feature_branch: String(m.feature_branch ?? ''),
    fork_owner: String(m.fork_owner ?? ''),
  };
}

/**
 * The budget-diff baseline: `base_sha` of the latest `workspace_prepared` artefact, else the
 * `workspace.baseline_sha` the run's first agent step recorded in its runtime report.
 */
export async function budgetBaseline(db: Db, runId: string): Promise<string | undefined> {
  const prepared = await preparedWorkspace(db, runId);
  if (prepared) return prepared.base_sha;
  const reports = await listArtifacts(db, runId, { limit: 10_000, type: 'agent_runtime_report' });
  const first = reports.at(-1);
  if (!first) return undefined;
  try {
    const report = JSON.parse(await readFile(first.uri, 'utf8')) as { workspace?: { baseline_sha?: unknown } };
    const sha = report.workspace?.baseline_sha;
    return typeof sha === 'string' && sha !== '' ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the campaign folder; a broken `campaign.json` is a use-case error with the same one-line message. */
export async function campaignFor(ctx: Pick<AppContext, 'paths'>): Promise<Campaign> {
  try {
    return await loadCampaign(ctx.paths.campaignDir);
  } catch (error) {
    if (error instanceof WorkspaceError) {
      throw new AgentprError(error.message.startsWith('invalid JSON:') ? 'invalid_json' : 'config', error.message, { cause: error });
    }
    throw error;
  }
}

/** git's own exit status when a failed workspace procedure was a failed git command (never 0), else undefined. */
export function procedureGitExit(error: unknown): number | undefined {
  const gitExit = error instanceof WorkspaceError ? error.gitExit : undefined;
  return gitExit !== undefined && gitExit !== 0 ? gitExit : undefined;
}

/** A one-line message for a failed procedure. */
export function procedureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'the procedure failed';
}

/**
 * Records a step held back by {@link verifyProtectedFiles}: an attempt graded `HUMAN_REVIEW` with the reason
 * and every changed path as evidence in its stderr, then `worker.step.failed` and the convergence to
 * `NEEDS_HUMAN_REVIEW`. Returns the run's state afterwards.
 */
export async function holdProtectedChange(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  runId: string,
  step: StepName,
  stage: RunState,
  check: Extract<ProtectedCheck, { ok: false }>,
  durationMs: number,
): Promise<RunState> {
  const evidence = check.changes.map((c) => `${c.change} ${c.path} (${c.kind})`);
  await recordAttempt(
    ctx.db,
    { runId, step, succeeded: false, stdout: '', stderr: [check.message, ...evidence].join('\n'), durationMs, grade: 'HUMAN_REVIEW', reasonCode: check.reason, stage },
    ctx.clock,
  );
  const results = await applyEvents(
    ctx.db,
    runId,
    [
      { event: { type: 'worker.step.failed', step, reason_code: check.reason, error_message: check.message, actor: 'worker' } },
      { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'worker', error: `${step}:${check.reason}:${check.message}` }, optional: true },
    ],
    ctx.clock,
  );
  return results.at(-1)?.refused ? results[0]!.state : results.at(-1)!.state;
}
