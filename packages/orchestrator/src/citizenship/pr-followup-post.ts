import { classifyRejection } from '@agentpr/citizenship';
import type { GitHubClient, IssueCommentInfo, RepoRef } from '@agentpr/github';
import type { EffectiveCampaignRules } from '@agentpr/policy';
import type { RunState } from '@agentpr/state-machine';
import {
  applyEvent,
  claimFollowup,
  claimStaleClose,
  getPrActivity,
  iso,
  markPrClosed,
  recordFollowupComment,
  recordRejection,
  type PrKey,
  type PrSweepRow,
} from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { redactorFor } from '../secrets/redactor-for.js';
import { FOLLOWUP_MARKER, OWN_MARKERS, STALE_CLOSE_MARKER, findMarkedComment, type PrConversation } from './pr-activity-read.js';
import { renderStaleTemplate } from './pr-followup-due.js';

/** What posting the follow-up did: posted now, found posted by an earlier sweep that crashed, or claimed by another. */
export type FollowupPosted = { kind: 'posted' | 'found'; commentId: string } | { kind: 'claimed_elsewhere' };

/** What the stale close did. */
export type StaleClosed = { kind: 'closed'; state: RunState | null; commentId: string } | { kind: 'claimed_elsewhere' };

const keyOf = (row: PrSweepRow): PrKey => ({ runId: row.run_id, prNumber: row.pr_number });
const repoOf = (row: PrSweepRow): RepoRef => ({ owner: row.owner, repo: row.repo });

/** A comment body from a campaign template: placeholders filled, agentpr's secrets redacted, the hidden marker last. */
function commentBody(ctx: AppContext, template: string, row: PrSweepRow, days: number, marker: string): string {
  const text = renderStaleTemplate(template, { days, owner: row.owner, repo: row.repo, prNumber: row.pr_number });
  return `${redactorFor(ctx).redact(text)}\n\n${marker}`;
}

async function commentsNow(github: GitHubClient, row: PrSweepRow): Promise<IssueCommentInfo[]> {
  return github.listIssueComments ? github.listIssueComments(repoOf(row), row.pr_number, { limit: 300 }) : [];
}

interface Posted {
  found: boolean;
  comment: IssueCommentInfo;
}

/**
 * Posts our comment carrying `marker` at most once: a claim that was already there (a sweep crashed between claiming
 * and recording) first looks for the comment on GitHub and only posts when it is not there.
 */
async function postOnce(github: GitHubClient, row: PrSweepRow, resumed: boolean, marker: string, body: string): Promise<Posted> {
  if (resumed) {
    const found = findMarkedComment(await commentsNow(github, row), marker);
    if (found) return { found: true, comment: found };
  }
  if (!github.createIssueComment) {
    throw new AgentprError('config', 'this GitHub client cannot post comments (createIssueComment); the stale follow-up needs it.');
  }
  return { found: false, comment: await github.createIssueComment(repoOf(row), row.pr_number, body) };
}

/**
 * Posts the PR's one follow-up: claims it in the store first (`followup_at`), posts it, then records its id. The
 * caller holds the run's lease, so no other sweep resumes the same claim at the same time.
 */
export async function postFollowup(
  ctx: AppContext,
  github: GitHubClient,
  row: PrSweepRow,
  rules: EffectiveCampaignRules,
  at: { now: Date; days: number },
): Promise<FollowupPosted> {
  const key = keyOf(row);
  const current = await getPrActivity(ctx.db, row.run_id);
  if (!current || current.pr_number !== row.pr_number) return { kind: 'claimed_elsewhere' };
  if (current.followup_comment_id !== null) return { kind: 'claimed_elsewhere' };
  const resumed = current.followup_at !== null;
  if (!resumed && !(await claimFollowup(ctx.db, key, iso(at.now), ctx.clock))) return { kind: 'claimed_elsewhere' };
  const body = commentBody(ctx, rules.stale_followup.followup_template, row, at.days, FOLLOWUP_MARKER);
  const { found, comment } = await postOnce(github, row, resumed, FOLLOWUP_MARKER, body);
  await recordFollowupComment(ctx.db, key, String(comment.id), ctx.clock);
  return { kind: found ? 'found' : 'posted', commentId: String(comment.id) };
}

/**
 * Closes a stale PR politely: claims the close (`stale_closed_at`), posts the thank-you once, closes the PR,
 * records the close as `no_response`, and ends the run as SKIPPED with reason `stale`. The caller holds the run's
 * lease.
 */
export async function closeStale(
  ctx: AppContext,
  github: GitHubClient,
  row: PrSweepRow,
  conversation: PrConversation,
  rules: EffectiveCampaignRules,
  at: { now: Date; days: number },
): Promise<StaleClosed> {
  const key = keyOf(row);
  const current = await getPrActivity(ctx.db, row.run_id);
  if (!current || current.pr_number !== row.pr_number || current.closed_at !== null) return { kind: 'claimed_elsewhere' };
  const resumed = current.stale_closed_at !== null;
  if (!resumed && !(await claimStaleClose(ctx.db, key, iso(at.now), ctx.clock))) return { kind: 'claimed_elsewhere' };
  const body = commentBody(ctx, rules.stale_followup.close_template, row, at.days, STALE_CLOSE_MARKER);
  const { comment } = await postOnce(github, row, resumed, STALE_CLOSE_MARKER, body);
  if (!github.closePullRequest) throw new AgentprError('config', 'this GitHub client cannot close pull requests (closePullRequest); the stale close needs it.');
  await github.closePullRequest(repoOf(row), row.pr_number);
  const state = await recordStaleClose(ctx, row, conversation, iso(at.now));
  return { kind: 'closed', state, commentId: String(comment.id) };
}

/**
 * Records a close agentpr made itself (now, or found after a crash): `closed_at`, the rejection `no_response`, and
 * the run ended as SKIPPED with reason `stale` (a run that already ended stays as it is). Returns the run's state.
 */
export async function recordStaleClose(ctx: AppContext, row: PrSweepRow, conversation: PrConversation, closedAt: string): Promise<RunState | null> {
  const key = keyOf(row);
  await markPrClosed(ctx.db, key, closedAt, ctx.clock);
  const { comments, reviews } = conversation;
  const rejection = classifyRejection({ closedByUs: true, comments, reviews, lastCheckRollup: null, ownMarkers: OWN_MARKERS });
  await recordRejection(ctx.db, key, rejection, ctx.clock);
  const message = `PR #${row.pr_number} was closed after its follow-up found no maintainer response`;
  const applied = await applyEvent(
    ctx.db,
    row.run_id,
    { event: { type: 'command.run.skip', reason_code: 'stale', message, actor: ctx.actor }, idempotencyKey: `pr-stale:${row.pr_number}`, optional: true },
    ctx.clock,
  );
  return applied.state;
}
