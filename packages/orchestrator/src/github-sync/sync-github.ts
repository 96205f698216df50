import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { decideReview, rollUpChecks, type CheckRollup, type GitHubClient } from '@agentpr/github';
import { eventPayload, type RunEvent } from '@agentpr/state-machine';
import { applyEvents, getRun, listActiveRuns, recordAttempt, resultObject, type EventInput } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { writeNewFile } from '../adapters/file-stamp.js';
import { githubFailure } from '../adapters/github-access.js';
import { pushedHead, rollupKey } from './github-events.js';

/** The input of {@link syncGithub} (the `sync-github` flags). */
export interface SyncGithubInput {
  /** Sync this run only (skipped, but counted as scanned, when it has no PR). */
  runId?: string | undefined;
  /** How many candidate runs to look at; default 50. */
  limit?: number | undefined;
  /** Decide but write nothing: no events, no attempts, no report file (W36). */
  dryRun?: boolean | undefined;
}

/** What sync-github saw on GitHub for one PR. */
export interface SyncDecision {
  pr_state: 'OPEN' | 'CLOSED' | 'MERGED';
  head_sha: string;
  check_conclusion: 'success' | 'failure' | null;
  review_state: string | null;
  check_summary: Pick<CheckRollup, 'total' | 'successes' | 'failures' | 'pending'>;
}

/** One synced run. */
export interface SyncRunResult {
  run_id: string;
  repo: string;
  state_before: string;
  pr_number: number;
  decision: SyncDecision;
  /** Applied event results, or in a dry run the events that would be applied. */
  events: Array<Record<string, unknown>>;
}

/** One run that could not be synced. */
export interface SyncFailure {
  run_id: string;
  pr_number?: number;
  error: string;
}

/** The sync-github report (SPEC §7.1). `ok` is false when any run failed; the CLI then exits 1. */
export interface SyncGithubReport {
  ok: boolean;
  dry_run: boolean;
  scanned: number;
  synced: number;
  failures: SyncFailure[];
  results: SyncRunResult[];
  report_path: string | null;
}

/**
 * States whose runs are polled: waiting on CI or review, iterating, pushed with a PR whose new head needs
 * re-linking, or held by a human (PAUSED, NEEDS_HUMAN_REVIEW: their facts are stored as held, not applied, so
 * `resume` acts on the latest ones — issue 13).
 */
export const SYNC_STATES = ['PUSHED', 'CI_WAIT', 'REVIEW_WAIT', 'ITERATING', 'PAUSED', 'NEEDS_HUMAN_REVIEW'] as const;

interface PlannedEvent {
  event: RunEvent;
  key: string;
}

async function syncOne(ctx: AppContext, github: GitHubClient, run: { run_id: string; owner: string; repo: string; pr_number: number; current_state: string }, dryRun: boolean): Promise<SyncRunResult> {
  const repo = { owner: run.owner, repo: run.repo };
  const pr = await github.getPullRequest(repo, run.pr_number);
  const headSha = pr.headSha.toLowerCase();
  const prState = pr.merged ? 'MERGED' : pr.state === 'closed' ? 'CLOSED' : 'OPEN';
  const planned: PlannedEvent[] = [];
  let rollup: CheckRollup = { conclusion: null, total: 0, successes: 0, failures: 0, pending: 0 };
  let reviewState: string | null = null;
  const actor = ctx.actor;
  if (prState !== 'OPEN') {
    const merged = prState === 'MERGED';
    planned.push({ event: { type: 'github.pull_request.closed', pr_number: pr.number, merged, actor }, key: `gh:pr-closed:${pr.number}:${merged ? 'merged' : 'unmerged'}:${headSha || 'unknown'}` });
  } else {
    const pushed = await pushedHead(ctx.db, run.run_id);
    if (run.current_state === 'PUSHED' && pushed === headSha) {
      planned.push({ event: { type: 'command.pr.linked', pr_number: pr.number, actor }, key: `gh:pr-head:${pr.number}:${headSha}` });
    }
    rollup = rollUpChecks(await github.listChecksForRef(repo, headSha));
    if (rollup.conclusion) {
      planned.push({
        event: { type: 'github.check.completed', conclusion: rollup.conclusion, pr_number: pr.number, head_sha: headSha, actor },
        key: rollupKey(pr.number, headSha, rollup.conclusion),
      });
    }
    const review = decideReview(await github.listReviews(repo, pr.number));
    reviewState = review.state;
    if (review.state === 'changes_requested') {
      planned.push({
        event: { type: 'github.review.submitted', state: 'changes_requested', pr_number: pr.number, actor },
        key: review.reviewId !== null ? `gh:review:${review.reviewId}` : `gh:review:${pr.number}:changes_requested:${review.submittedAt ?? 'unknown'}`,
      });
    }
  }
  const decision: SyncDecision = {
    pr_state: prState,
    head_sha: headSha,
    check_conclusion: rollup.conclusion,
    review_state: reviewState,
    check_summary: { total: rollup.total, successes: rollup.successes, failures: rollup.failures, pending: rollup.pending },
  };
  let events: Array<Record<string, unknown>>;
  if (dryRun) {
    events = planned.map((p) => ({ dry_run: true, event_type: p.event.type, idempotency_key: p.key, payload: eventPayload(p.event) }));
  } else {
    const inputs: EventInput[] = planned.map((p) => ({ event: p.event, idempotencyKey: p.key, optional: true }));
    const applied = inputs.length ? await applyEvents(ctx.db, run.run_id, inputs, ctx.clock) : [];
    events = applied.map((r) => (r.refused ? { ...resultObject(r), applied: false, reason: 'invalid_transition', message: r.refused.message } : { ...resultObject(r), ...(r.applied === false && r.message ? { message: r.message } : {}) }));
  }
  return { run_id: run.run_id, repo: `${run.owner}/${run.repo}`, state_before: run.current_state, pr_number: pr.number, decision, events };
}

/**
 * Polls GitHub for every run with a PR that waits on it (SPEC §7.1, W35, W36) — or one run — and applies what
 * changed with natural keys shared with the webhook: a merged or closed PR, a re-link of a PUSHED run whose
 * new head the PR now shows, the roll-up of every check of the PR head (in progress is pending), and a
 * changes-requested review. It is also the self-healing path for missed webhooks. A failure of one run is
 * reported and the others continue; `ok` is false then. A dry run writes nothing.
 *
 * @example
 * const report = await syncGithub(ctx, { limit: 50 }, { github });
 * process.exitCode = report.ok ? 0 : 1;
 */
export async function syncGithub(ctx: AppContext, input: SyncGithubInput, deps: { github: GitHubClient }): Promise<SyncGithubReport> {
  const dryRun = input.dryRun === true;
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new AgentprError('usage', `--limit must be an integer of at least 1 (got ${limit}).`);
  let candidates: Array<{ run_id: string; owner: string; repo: string; pr_number: number | null; current_state: string }>;
  if (input.runId) {
    const found = await getRun(ctx.db, input.runId);
    if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
    candidates = [{ ...found.run, current_state: found.state.current_state }];
  } else {
    candidates = (await listActiveRuns(ctx.db, { limit, order: 'newest', states: [...SYNC_STATES] })).filter((r) => r.pr_number !== null);
  }
  const results: SyncRunResult[] = [];
  const failures: SyncFailure[] = [];
  for (const run of candidates) {
    if (run.pr_number === null) continue;
    const started = ctx.clock().getTime();
    try {
      const result = await syncOne(ctx, deps.github, { ...run, pr_number: run.pr_number }, dryRun);
      results.push(result);
      if (!dryRun) {
        await recordAttempt(ctx.db, { runId: run.run_id, step: 'github_sync', exitCode: 0, stdout: JSON.stringify(result.decision), stderr: '', durationMs: ctx.clock().getTime() - started }, ctx.clock);
      }
    } catch (error) {
      const message = githubFailure(error).message;
      failures.push({ run_id: run.run_id, pr_number: run.pr_number, error: message });
      if (!dryRun) {
        await recordAttempt(ctx.db, { runId: run.run_id, step: 'github_sync', exitCode: 1, stdout: '', stderr: message, durationMs: ctx.clock().getTime() - started }, ctx.clock).catch(() => {});
      }
    }
  }
  const report: SyncGithubReport = { ok: failures.length === 0, dry_run: dryRun, scanned: candidates.length, synced: results.length, failures, results, report_path: null };
  if (!dryRun) {
    mkdirSync(ctx.paths.reportsDir, { recursive: true });
    // Reserve a fresh name first so the report can name its own path.
    report.report_path = writeNewFile(ctx.paths.reportsDir, 'github_sync_', ctx.clock(), '.json', '');
    writeFileSync(report.report_path, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}

/** Options of {@link syncGithubLoop}. */
export interface SyncGithubLoopOptions {
  /** Seconds between passes; at least 1. */
  intervalSec: number;
  /** Stop after this many passes (unbounded when omitted). */
  maxLoops?: number | undefined;
  /** Stops the loop between passes (Ctrl-C). */
  signal?: AbortSignal;
  /** Called with each pass's report (the CLI prints one JSON document per pass). */
  onReport?: (report: SyncGithubReport) => void;
}

/**
 * Runs {@link syncGithub} every `intervalSec` seconds until `maxLoops` passes or the signal aborts. Returns
 * how many passes ran and how many had a failure.
 */
export async function syncGithubLoop(ctx: AppContext, input: SyncGithubInput, deps: { github: GitHubClient }, options: SyncGithubLoopOptions): Promise<{ loops: number; failedLoops: number; aborted: boolean }> {
  if (!Number.isInteger(options.intervalSec) || options.intervalSec < 1) throw new AgentprError('usage', `--interval-sec must be an integer of at least 1 (got ${options.intervalSec}).`);
  let loops = 0;
  let failedLoops = 0;
  while (!options.signal?.aborted && (options.maxLoops === undefined || loops < options.maxLoops)) {
    let report: SyncGithubReport;
    try {
      report = await syncGithub(ctx, input, deps);
    } catch (error) {
      report = { ok: false, dry_run: input.dryRun === true, scanned: 0, synced: 0, failures: [{ run_id: input.runId ?? '*', error: (error as Error).message }], results: [], report_path: null };
    }
    loops++;
    if (!report.ok) failedLoops++;
    options.onReport?.(report);
    if (options.maxLoops !== undefined && loops >= options.maxLoops) break;
    try {
      await sleep(options.intervalSec * 1000, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch {
      break;
    }
  }
  return { loops, failedLoops, aborted: options.signal?.aborted === true };
}
