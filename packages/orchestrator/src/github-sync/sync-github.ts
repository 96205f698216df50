import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GitHubClient } from '@agentpr/github';
import { getRun, listActiveRuns, recordAttempt } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { redactorFor } from '../secrets/redactor-for.js';
import { githubFailure, requireGitHub } from './require-github.js';
import { syncOneRun, type SyncRunOutcome } from './sync-one-run.js';
import { syncGithubReport, type SyncGithubResult, type SyncPassFailed } from './sync-report.js';

export type { SyncDecision, SyncEventOutcome, SyncFailure, SyncRunOutcome, SyncRunResult, SyncSkipped } from './sync-one-run.js';
export { syncFailures, syncGithubReport } from './sync-report.js';
export type { SyncEventDocument, SyncGithubReport, SyncGithubResult, SyncPassFailed } from './sync-report.js';

/** The input of {@link syncGithub} (the `sync-github` flags). */
export interface SyncGithubInput {
  /** Sync this run only (skipped, but counted as scanned, when it has no PR). */
  runId?: string | undefined;
  /** How many candidate runs to look at; default 50. */
  limit?: number | undefined;
  /** Decide but write nothing: no events, no attempts, no report file. */
  dryRun?: boolean | undefined;
}

/**
 * States whose runs are polled: waiting on CI or review, iterating, pushed with a PR whose new head needs
 * re-linking, or held by a human (PAUSED, NEEDS_HUMAN_REVIEW: their facts are stored as held, not applied, so
 * `resume` acts on the latest ones — issue 13).
 */
export const SYNC_STATES = ['PUSHED', 'CI_WAIT', 'REVIEW_WAIT', 'ITERATING', 'PAUSED', 'NEEDS_HUMAN_REVIEW'] as const;

type Candidate = { run_id: string; owner: string; repo: string; pr_number: number | null; current_state: string };

async function candidatesOf(ctx: AppContext, input: SyncGithubInput, limit: number): Promise<Candidate[]> {
  if (input.runId) {
    const found = await getRun(ctx.db, input.runId);
    if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
    return [{ ...found.run, current_state: found.state.current_state }];
  }
  return (await listActiveRuns(ctx.db, { limit, order: 'newest', states: [...SYNC_STATES] })).filter((r) => r.pr_number !== null);
}

/** Syncs one candidate and records its `github_sync` attempt (not in a dry run); a failure is an outcome, not a throw. */
async function syncCandidate(ctx: AppContext, github: GitHubClient, run: Candidate, dryRun: boolean): Promise<SyncRunOutcome> {
  if (run.pr_number === null) return { kind: 'no_pr', run_id: run.run_id };
  const started = ctx.clock().getTime();
  try {
    const result = await syncOneRun(ctx, github, { ...run, pr_number: run.pr_number }, dryRun);
    if (!dryRun) {
      await recordAttempt(ctx.db, { runId: run.run_id, step: 'github_sync', succeeded: true, stdout: JSON.stringify(result.decision), stderr: '', durationMs: ctx.clock().getTime() - started }, ctx.clock);
    }
    return result;
  } catch (error) {
    const message = githubFailure(error).message;
    if (!dryRun) {
      await recordAttempt(ctx.db, { runId: run.run_id, step: 'github_sync', succeeded: false, stdout: '', stderr: message, durationMs: ctx.clock().getTime() - started }, ctx.clock).catch(() => {});
    }
    return { kind: 'failed', run_id: run.run_id, pr_number: run.pr_number, error: message };
  }
}

/** Writes the pass's report to `<reports>/github_sync_<stamp>.json`; the report names its own path. */
function writeReport(ctx: AppContext, result: SyncGithubResult): string {
  // Reserve a fresh name first so the report can name its own path.
  const path = ctx.artifacts.writeNew(ctx.paths.reportsDir, 'github_sync_', '.json', '');
  const report = syncGithubReport({ ...result, reportPath: path });
  writeFileSync(path, redactorFor(ctx).redact(`${JSON.stringify(report, null, 2)}\n`));
  return path;
}

/**
 * Polls GitHub for every run with a PR that waits on it — or one run — and applies what
 * changed with natural keys shared with the webhook: a merged or closed PR, a re-link of a PUSHED run whose
 * new head the PR now shows, the roll-up of every check of the PR head (in progress is pending), and a
 * changes-requested review. It is also the self-healing path for missed webhooks. A failure of one run is
 * an outcome of that run and the others continue (`some_failed`). A dry run writes nothing. GitHub comes from
 * `ctx.github`; without a token it throws the `config` error before reading any run.
 *
 * @example
 * const result = await syncGithub(ctx, { limit: 50 });
 * if (result.kind === 'some_failed') console.log(syncFailures(result));
 */
export async function syncGithub(ctx: AppContext, input: SyncGithubInput): Promise<SyncGithubResult> {
  const dryRun = input.dryRun === true;
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new AgentprError('usage', `--limit must be an integer of at least 1 (got ${limit}).`);
  const github = await requireGitHub(ctx);
  const runs: SyncRunOutcome[] = [];
  for (const run of await candidatesOf(ctx, input, limit)) runs.push(await syncCandidate(ctx, github, run, dryRun));
  const result: SyncGithubResult = { kind: runs.some((r) => r.kind === 'failed') ? 'some_failed' : 'all_synced', dryRun, runs, reportPath: null };
  if (!dryRun) result.reportPath = writeReport(ctx, result);
  return result;
}

/** Options of {@link syncGithubLoop}. */
export interface SyncGithubLoopOptions {
  /** Seconds between passes; at least 1. */
  intervalSec: number;
  /** Stop after this many passes (unbounded when omitted). */
  maxLoops?: number | undefined;
  /** Stops the loop between passes (Ctrl-C). */
  signal?: AbortSignal;
  /** Called with each pass's result (the CLI prints one report document per pass). */
  onPass?: (pass: SyncGithubResult | SyncPassFailed) => void;
}

/** How a {@link syncGithubLoop} ended: after `maxLoops` passes (`finished`) or by the signal (`aborted`). */
export interface SyncGithubLoopResult {
  kind: 'finished' | 'aborted';
  loops: number;
  /** Passes with a failed run, or that threw. */
  failedLoops: number;
}

/** Runs {@link syncGithub} every `intervalSec` seconds until `maxLoops` passes or the signal aborts. */
export async function syncGithubLoop(ctx: AppContext, input: SyncGithubInput, options: SyncGithubLoopOptions): Promise<SyncGithubLoopResult> {
  if (!Number.isInteger(options.intervalSec) || options.intervalSec < 1) throw new AgentprError('usage', `--interval-sec must be an integer of at least 1 (got ${options.intervalSec}).`);
  let loops = 0;
  let failedLoops = 0;
  while (!options.signal?.aborted && (options.maxLoops === undefined || loops < options.maxLoops)) {
    let pass: SyncGithubResult | SyncPassFailed;
    try {
      pass = await syncGithub(ctx, input);
    } catch (error) {
      pass = { kind: 'pass_failed', dryRun: input.dryRun === true, runId: input.runId ?? '*', error: (error as Error).message };
    }
    loops++;
    if (pass.kind !== 'all_synced') failedLoops++;
    options.onPass?.(pass);
    if (options.maxLoops !== undefined && loops >= options.maxLoops) break;
    try {
      await sleep(options.intervalSec * 1000, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      break;
    }
  }
  return { kind: options.signal?.aborted === true ? 'aborted' : 'finished', loops, failedLoops };
}
