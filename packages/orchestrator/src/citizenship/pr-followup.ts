import { classifyRejection, scheduleState } from '@agentpr/citizenship';
import { rollUpChecks, type GitHubClient } from '@agentpr/github';
import { effectiveCampaignRules, loadPolicy, type ManagerPolicy } from '@agentpr/policy';
import {
  StoreError,
  iso,
  leaseHolder,
  listPrActivity,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  recordRejection,
  runsWithUnrecordedPr,
  withLease,
  type PrSweepRow,
} from '@agentpr/store';
import type { AppContext } from '../context.js';
import { githubFailure, NO_GITHUB_TOKEN } from '../github-sync/require-github.js';
import { policyError } from '../policy-error.js';
import { backfillPrActivity } from './pr-activity-backfill.js';
import { maintainerActivity, OWN_MARKERS, readPrConversation, type PrConversation } from './pr-activity-read.js';
import { staleStep } from './pr-followup-due.js';
import { closeStale, postFollowup, recordStaleClose } from './pr-followup-post.js';
import type { PrSweepInput, PrSweepItem, PrSweepOutcome, PrSweepResult } from './pr-followup-types.js';

export type { PrSweepInput, PrSweepItem, PrSweepOutcome, PrSweepResult, PrSweepSummary } from './pr-followup-types.js';
export { prSweepSummary } from './pr-followup-types.js';

const DEFAULT_LIMIT = 20;
const DEFAULT_INTERVAL_MINUTES = 15;
/** The run lease held while a comment is posted or a PR closed. */
const LEASE_TTL_MS = 60_000;

interface Sweep {
  ctx: AppContext;
  github: GitHubClient;
  policy: ManagerPolicy;
  now: Date;
  dryRun: boolean;
}

const earliest = (a: string | null, b: string | null) => [a, b].filter((t): t is string => t !== null).sort()[0] ?? null;
const latest = (a: string | null, b: string | null) => [a, b].filter((t): t is string => t !== null).sort().at(-1) ?? null;

type ItemSource = Pick<PrSweepRow, 'run_id' | 'owner' | 'repo' | 'pr_number' | 'first_response_at' | 'last_maintainer_activity_at'>;

/** A sweep item's identity and the maintainer response times known for it. */
function itemOf(row: ItemSource): Omit<PrSweepItem, 'outcome'> {
  const { run_id, owner, repo, pr_number, first_response_at, last_maintainer_activity_at } = row;
  return { run_id, owner, repo, pr_number, first_response_at, last_maintainer_activity_at };
}

/** The conclusion of the CI roll-up of the PR head, or null when pending, unknown or unreadable. */
async function lastRollup(github: GitHubClient, row: PrSweepRow, headSha: string): Promise<'success' | 'failure' | null> {
  try {
    return rollUpChecks(await github.listChecksForRef({ owner: row.owner, repo: row.repo }, headSha)).conclusion;
  } catch {
    return null;
  }
}

/** A PR closed (by maintainers, or by agentpr's stale close that a crash kept from being recorded): when, and why. */
async function recordClose(sweep: Sweep, row: PrSweepRow, conversation: PrConversation): Promise<PrSweepOutcome> {
  const { ctx, github, now, dryRun } = sweep;
  const closedAt = conversation.issue?.closedAt ?? iso(now);
  const closedByUs = row.stale_closed_at !== null;
  const lastCheckRollup = closedByUs ? null : await lastRollup(github, row, conversation.pr.headSha);
  const input = { closedByUs, comments: [...conversation.comments, ...conversation.reviewComments], reviews: conversation.reviews, lastCheckRollup };
  const rejection = classifyRejection({ ...input, prAuthor: conversation.author, ownMarkers: OWN_MARKERS });
  let state = null;
  if (!dryRun && closedByUs) state = await recordStaleClose(ctx, row, conversation, closedAt);
  else if (!dryRun) {
    await markPrClosed(ctx.db, { runId: row.run_id, prNumber: row.pr_number }, closedAt, ctx.clock);
    await recordRejection(ctx.db, { runId: row.run_id, prNumber: row.pr_number }, rejection, ctx.clock);
  }
  return { kind: 'closed', closed_at: closedAt, rejection_category: rejection.category, rejection_evidence: rejection.evidence, state };
}

/** Posts the follow-up or closes the PR under the run's lease; another holder makes it `busy`. */
async function staleAction(sweep: Sweep, row: PrSweepRow, conversation: PrConversation, step: 'followup' | 'close', days: number): Promise<PrSweepOutcome> {
  const { ctx, github, now } = sweep;
  const rules = effectiveCampaignRules(sweep.policy, { campaign: row.campaign, owner: row.owner, repo: row.repo });
  const schedule = scheduleState(rules.etiquette.schedule, now);
  if (!schedule.open) return { kind: 'held', step, reason_code: 'outside_schedule', frees_at: schedule.nextOpenAt?.toISOString() ?? null };
  if (sweep.dryRun) return { kind: step === 'followup' ? 'would_follow_up' : 'would_close' };
  const holder = ctx.leaseHolder ?? leaseHolder('pr-followup', ctx.env);
  try {
    return await withLease(
      ctx.db,
      row.run_id,
      holder,
      LEASE_TTL_MS,
      async (): Promise<PrSweepOutcome> => {
        if (step === 'followup') {
          const posted = await postFollowup(ctx, github, row, rules, { now, days });
          if (posted.kind === 'claimed_elsewhere') return { kind: 'busy', reason: 'the follow-up was claimed by another sweep' };
          return { kind: 'followed_up', comment_id: posted.commentId, found_posted: posted.kind === 'found' };
        }
        const closed = await closeStale(ctx, github, row, conversation, rules, { now, days });
        if (closed.kind === 'claimed_elsewhere') return { kind: 'busy', reason: 'the close was claimed by another sweep' };
        return { kind: 'stale_closed', comment_id: closed.commentId, state: closed.state };
      },
      ctx.clock,
    );
  } catch (error) {
    if (error instanceof StoreError && error.code === 'lease_held') return { kind: 'busy', reason: error.message };
    throw error;
  }
}

/** Reads one PR, records what maintainers did, and takes the stale follow-up's step when one is due. */
async function sweepOne(sweep: Sweep, row: PrSweepRow): Promise<PrSweepItem> {
  const { ctx, github, now, dryRun } = sweep;
  const key = { runId: row.run_id, prNumber: row.pr_number };
  const conversation = await readPrConversation(github, { owner: row.owner, repo: row.repo }, row.pr_number);
  const activity = maintainerActivity(conversation, row.opened_at);
  const found = { firstResponseAt: activity.firstResponseAt, lastMaintainerActivityAt: activity.lastActivityAt, checkedAt: iso(now) };
  if (!dryRun) await notePrChecked(ctx.db, key, found, ctx.clock);
  const fresh = {
    ...row,
    first_response_at: earliest(row.first_response_at, activity.firstResponseAt),
    last_maintainer_activity_at: latest(row.last_maintainer_activity_at, activity.lastActivityAt),
  };
  const item = itemOf(fresh);
  if (conversation.pr.merged) {
    const mergedAt = conversation.issue?.closedAt ?? iso(now);
    if (!dryRun) await markPrMerged(ctx.db, key, mergedAt, ctx.clock);
    return { ...item, outcome: { kind: 'merged', merged_at: mergedAt } };
  }
  if (conversation.pr.state === 'closed') return { ...item, outcome: await recordClose(sweep, fresh, conversation) };
  if (row.closed_at !== null) return { ...item, outcome: { kind: 'waiting', next: null, note: 'reopened on GitHub after agentpr recorded its close' } };
  const rules = effectiveCampaignRules(sweep.policy, { campaign: row.campaign, owner: row.owner, repo: row.repo });
  const step = staleStep(fresh, rules.stale_followup, row.current_state, now);
  switch (step.kind) {
    case 'off':
      return { ...item, outcome: { kind: 'waiting', next: null, note: step.why } };
    case 'wait':
      return { ...item, outcome: { kind: 'waiting', next: { step: step.step, at: step.at }, note: null } };
    case 'followup':
    case 'close':
      return { ...item, outcome: await staleAction(sweep, fresh, conversation, step.kind, step.silentDays) };
  }
}

async function sweepSafely(sweep: Sweep, row: PrSweepRow): Promise<PrSweepItem> {
  try {
    return await sweepOne(sweep, row);
  } catch (error) {
    const message = githubFailure(error).message.split('\n')[0]!;
    sweep.ctx.log.warn('pr follow-up: a PR could not be swept', { run_id: row.run_id, pr_number: row.pr_number, error: message });
    // Checked all the same, so one failing PR does not take the head of every sweep's queue.
    if (!sweep.dryRun) {
      const none = { firstResponseAt: null, lastMaintainerActivityAt: null, checkedAt: iso(sweep.now) };
      await notePrChecked(sweep.ctx.db, { runId: row.run_id, prNumber: row.pr_number }, none, sweep.ctx.clock).catch(() => {});
    }
    return { ...itemOf(row), outcome: { kind: 'failed', error: message } };
  }
}

/**
 * One pass over the PRs agentpr opened: backfills PRs linked by hand, then reads each open PR (and each closed one
 * not yet classified) at most once per `minIntervalMinutes`: the PR, its conversation, reviews and inline comments.
 * It records the first maintainer response and the latest maintainer activity, a merge, or a close with its
 * rejection category, and runs the campaign's stale follow-up (off by default): one polite follow-up after
 * `followup_after_days` of silence, then after `close_after_days` more a thank-you, the close, and the run ended as
 * SKIPPED with reason `stale`, each step within the campaign's schedule windows, claimed in the store before it is
 * taken so a crash never makes two comments. One PR's failure is its item's outcome; the sweep goes on. A policy
 * file that does not parse throws; no GitHub token makes it `no_github` when PRs wait.
 *
 * @example
 * const result = await sweepPrActivity(ctx, { now: ctx.clock(), dryRun: true });
 * for (const item of result.kind === 'swept' ? result.items : []) console.log(item.run_id, item.outcome.kind);
 */
export async function sweepPrActivity(ctx: AppContext, input: PrSweepInput = {}): Promise<PrSweepResult> {
  const now = input.now ?? ctx.clock();
  const dryRun = input.dryRun === true;
  const limit = Math.max(1, input.limit ?? DEFAULT_LIMIT);
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const unrecorded = await runsWithUnrecordedPr(ctx.db, limit);
  const checkedBefore = iso(new Date(now.getTime() - Math.max(0, input.minIntervalMinutes ?? DEFAULT_INTERVAL_MINUTES) * 60_000));
  let rows = await listPrActivity(ctx.db, { limit, checkedBefore });
  const sweptAt = iso(now);
  if (unrecorded.length === 0 && rows.length === 0) return { kind: 'swept', dry_run: dryRun, swept_at: sweptAt, items: [] };
  const github = await ctx.github.client();
  if (!github) return { kind: 'no_github', dry_run: dryRun, swept_at: sweptAt, message: NO_GITHUB_TOKEN, waiting: unrecorded.length + rows.length };
  const items: PrSweepItem[] = [];
  for (const run of unrecorded) {
    const item = itemOf({ ...run, first_response_at: null, last_maintainer_activity_at: null });
    if (dryRun) {
      items.push({ ...item, outcome: { kind: 'would_backfill' } });
      continue;
    }
    try {
      const opening = await backfillPrActivity(ctx, github, run, now);
      items.push({ ...item, outcome: { kind: 'backfilled', opened_at: opening.openedAt, source: opening.source } });
    } catch (error) {
      items.push({ ...item, outcome: { kind: 'failed', error: githubFailure(error).message.split('\n')[0]! } });
    }
  }
  if (!dryRun && unrecorded.length > 0) rows = await listPrActivity(ctx.db, { limit, checkedBefore });
  const sweep: Sweep = { ctx, github, policy: loaded.policy, now, dryRun };
  for (const row of rows) items.push(await sweepSafely(sweep, row));
  return { kind: 'swept', dry_run: dryRun, swept_at: sweptAt, items };
}
