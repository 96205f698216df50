import { decideReview, rollUpChecks, type CheckRollup, type GitHubClient } from '@agentpr/github';
import { eventPayload, type RunEvent, type RunState } from '@agentpr/state-machine';
import { applyEvents, type ApplyResult, type EventInput } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { failingCheckNames, failingChecksField, type CheckVerdictEvent } from './failing-checks.js';
import { pushedHead, rollupKey } from './github-events.js';

/** What sync-github saw on GitHub for one PR. */
export interface SyncDecision {
  pr_state: 'OPEN' | 'CLOSED' | 'MERGED';
  head_sha: string;
  check_conclusion: 'success' | 'failure' | null;
  review_state: string | null;
  check_summary: Pick<CheckRollup, 'total' | 'successes' | 'failures' | 'pending'>;
  /** The failing checks' names (bounded, cleaned) when the roll-up failed; empty otherwise. */
  failing_checks: string[];
}

/**
 * What became of one event sync-github decided on: `planned` in a dry run (nothing written), `applied` (or a
 * duplicate of an event already stored), or `not_applied` with the reason (held, stale, no transition, refused).
 */
export type SyncEventOutcome =
  | { kind: 'planned'; event_type: string; idempotency_key: string; payload: Record<string, unknown> }
  | { kind: 'applied'; event_type: string; run_id: string; state: RunState; duplicate: boolean }
  | { kind: 'not_applied'; event_type: string; run_id: string; state: RunState; duplicate: boolean; reason: string | undefined; message?: string | undefined };

/** One run synced: what GitHub showed and what that did. */
export interface SyncRunResult {
  kind: 'synced';
  run_id: string;
  repo: string;
  state_before: string;
  pr_number: number;
  decision: SyncDecision;
  events: SyncEventOutcome[];
}

/** One run that could not be synced (a GitHub or store failure); the pass goes on with the others. */
export interface SyncFailure {
  kind: 'failed';
  run_id: string;
  pr_number?: number;
  error: string;
}

/** A run asked for by `--run-id` that has no PR: scanned, nothing to sync. */
export interface SyncSkipped {
  kind: 'no_pr';
  run_id: string;
}

/** What sync-github did with one candidate run. */
export type SyncRunOutcome = SyncRunResult | SyncFailure | SyncSkipped;

/** A run with a PR, as sync-github polls it. */
export interface SyncCandidate {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number;
  current_state: string;
}

interface PlannedEvent {
  event: RunEvent;
  key: string;
}

function appliedOutcome(r: ApplyResult): SyncEventOutcome {
  const base = { event_type: r.event_type, run_id: r.run_id, state: r.state, duplicate: r.duplicate };
  if (r.refused) return { kind: 'not_applied', ...base, reason: 'invalid_transition', message: r.refused.message };
  if (r.applied === false) return { kind: 'not_applied', ...base, reason: r.reason, ...(r.message ? { message: r.message } : {}) };
  return { kind: 'applied', ...base };
}

/** The events GitHub's view of an open PR calls for: a re-link of the new head, the checks roll-up, a changes-requested review. */
/** What an open PR calls for, and what GitHub showed: the checks roll-up and the review state. */
interface OpenPrView {
  planned: PlannedEvent[];
  rollup: CheckRollup;
  failingChecks: string[];
  reviewState: string | null;
}

async function openPrEvents(ctx: AppContext, github: GitHubClient, run: SyncCandidate, pr: { number: number }, headSha: string): Promise<OpenPrView> {
  const repo = { owner: run.owner, repo: run.repo };
  const actor = ctx.actor;
  const planned: PlannedEvent[] = [];
  const pushed = await pushedHead(ctx.db, run.run_id);
  if (run.current_state === 'PUSHED' && pushed === headSha) {
    planned.push({ event: { type: 'command.pr.linked', pr_number: pr.number, actor }, key: `gh:pr-head:${pr.number}:${headSha}` });
  }
  const checks = await github.listChecksForRef(repo, headSha);
  const rollup = rollUpChecks(checks);
  const failingChecks = rollup.conclusion === 'failure' ? failingCheckNames(checks) : [];
  if (rollup.conclusion) {
    const event: CheckVerdictEvent = { type: 'github.check.completed', conclusion: rollup.conclusion, pr_number: pr.number, head_sha: headSha, actor, ...failingChecksField(failingChecks) };
    planned.push({ event, key: rollupKey(pr.number, headSha, rollup.conclusion) });
  }
  const review = decideReview(await github.listReviews(repo, pr.number));
  if (review.state === 'changes_requested') {
    planned.push({
      event: { type: 'github.review.submitted', state: 'changes_requested', pr_number: pr.number, actor },
      key: review.reviewId !== null ? `gh:review:${review.reviewId}` : `gh:review:${pr.number}:changes_requested:${review.submittedAt ?? 'unknown'}`,
    });
  }
  return { planned, rollup, failingChecks, reviewState: review.state };
}

/**
 * Reads one run's PR on GitHub and applies what changed, with natural keys shared with the webhook: a merged or
 * closed PR, or for an open PR the events of {@link openPrEvents}; a failed roll-up records the failing checks'
 * names as `failing_checks` (at most 20, cleaned), in the event and the decision. A dry run only plans. Throws GitHub errors.
 */
export async function syncOneRun(ctx: AppContext, github: GitHubClient, run: SyncCandidate, dryRun: boolean): Promise<SyncRunResult> {
  const pr = await github.getPullRequest({ owner: run.owner, repo: run.repo }, run.pr_number);
  const headSha = pr.headSha.toLowerCase();
  const prState = pr.merged ? 'MERGED' : pr.state === 'closed' ? 'CLOSED' : 'OPEN';
  let planned: PlannedEvent[] = [];
  let rollup: CheckRollup = { conclusion: null, total: 0, successes: 0, failures: 0, pending: 0 };
  let reviewState: string | null = null;
  let failingChecks: string[] = [];
  if (prState !== 'OPEN') {
    const merged = prState === 'MERGED';
    planned.push({ event: { type: 'github.pull_request.closed', pr_number: pr.number, merged, actor: ctx.actor }, key: `gh:pr-closed:${pr.number}:${merged ? 'merged' : 'unmerged'}:${headSha || 'unknown'}` });
  } else {
    ({ planned, rollup, failingChecks, reviewState } = await openPrEvents(ctx, github, run, pr, headSha));
  }
  const decision: SyncDecision = {
    pr_state: prState,
    head_sha: headSha,
    check_conclusion: rollup.conclusion,
    review_state: reviewState,
    check_summary: { total: rollup.total, successes: rollup.successes, failures: rollup.failures, pending: rollup.pending },
    failing_checks: failingChecks,
  };
  let events: SyncEventOutcome[];
  if (dryRun) {
    events = planned.map((p) => ({ kind: 'planned', event_type: p.event.type, idempotency_key: p.key, payload: eventPayload(p.event) }));
  } else {
    const inputs: EventInput[] = planned.map((p) => ({ event: p.event, idempotencyKey: p.key, optional: true }));
    events = (inputs.length ? await applyEvents(ctx.db, run.run_id, inputs, ctx.clock) : []).map(appliedOutcome);
  }
  return { kind: 'synced', run_id: run.run_id, repo: `${run.owner}/${run.repo}`, state_before: run.current_state, pr_number: pr.number, decision, events };
}
