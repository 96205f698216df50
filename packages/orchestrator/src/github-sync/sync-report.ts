import type { SyncDecision, SyncEventOutcome, SyncFailure, SyncRunOutcome, SyncRunResult } from './sync-one-run.js';

/** A pass of sync-github: every candidate run's outcome, and where the report was written (null in a dry run). */
interface SyncPass {
  dryRun: boolean;
  runs: SyncRunOutcome[];
  reportPath: string | null;
}

/**
 * A sync-github pass: `all_synced` when no run failed, `some_failed` when at least one did (the others were
 * still synced). Usage errors and an unknown `--run-id` throw `AgentprError` instead.
 */
export type SyncGithubResult = ({ kind: 'all_synced' } & SyncPass) | ({ kind: 'some_failed' } & SyncPass);

/** A {@link syncGithubLoop} pass that threw (bad input, store down): reported like a failed run, and the loop goes on. */
export interface SyncPassFailed {
  kind: 'pass_failed';
  dryRun: boolean;
  /** The `--run-id` of the pass, `*` for all runs. */
  runId: string;
  error: string;
}

/** One event of a run in the report document. */
export type SyncEventDocument =
  | { dry_run: true; event_type: string; idempotency_key: string; payload: Record<string, unknown> }
  | { duplicate: boolean; event_type: string; run_id: string; state: string; applied?: false; reason?: string | undefined; message?: string };

/** The sync-github report, as written to `<reports>/github_sync_*.json` and printed by the CLI. */
export interface SyncGithubReport {
  ok: boolean;
  dry_run: boolean;
  scanned: number;
  synced: number;
  failures: Array<{ run_id: string; pr_number?: number; error: string }>;
  results: Array<{ run_id: string; repo: string; state_before: string; pr_number: number; decision: SyncDecision; events: SyncEventDocument[] }>;
  report_path: string | null;
}

function eventDocument(e: SyncEventOutcome): SyncEventDocument {
  switch (e.kind) {
    case 'planned':
      return { dry_run: true, event_type: e.event_type, idempotency_key: e.idempotency_key, payload: e.payload };
    case 'applied':
      return { duplicate: e.duplicate, event_type: e.event_type, run_id: e.run_id, state: e.state };
    case 'not_applied':
      return {
        duplicate: e.duplicate,
        event_type: e.event_type,
        run_id: e.run_id,
        state: e.state,
        applied: false,
        reason: e.reason,
        ...(e.message ? { message: e.message } : {}),
      };
  }
}

function failureDocument(f: SyncFailure): SyncGithubReport['failures'][number] {
  return { run_id: f.run_id, ...(f.pr_number !== undefined ? { pr_number: f.pr_number } : {}), error: f.error };
}

function resultDocument(r: SyncRunResult): SyncGithubReport['results'][number] {
  return { run_id: r.run_id, repo: r.repo, state_before: r.state_before, pr_number: r.pr_number, decision: r.decision, events: r.events.map(eventDocument) };
}

/** The runs of a pass that failed, in order. */
export function syncFailures(result: SyncGithubResult): SyncFailure[] {
  return result.runs.filter((r): r is SyncFailure => r.kind === 'failed');
}

/**
 * The report document of a pass: `ok` is false when any run failed (the CLI then exits 1);
 * `scanned` counts every candidate, `synced` the runs read from GitHub.
 */
export function syncGithubReport(result: SyncGithubResult | SyncPassFailed): SyncGithubReport {
  if (result.kind === 'pass_failed') {
    const failures = [{ run_id: result.runId, error: result.error }];
    return { ok: false, dry_run: result.dryRun, scanned: 0, synced: 0, failures, results: [], report_path: null };
  }
  const results = result.runs.filter((r): r is SyncRunResult => r.kind === 'synced');
  return {
    ok: result.kind === 'all_synced',
    dry_run: result.dryRun,
    scanned: result.runs.length,
    synced: results.length,
    failures: syncFailures(result).map(failureDocument),
    results: results.map(resultDocument),
    report_path: result.reportPath,
  };
}
