import { isMaintainer } from '@agentpr/citizenship';
import type { GitHubClient, IssueCommentInfo, IssueInfo, PullRequestInfo, RepoRef, ReviewCommentInfo, ReviewInfo } from '@agentpr/github';

/** The hidden markers agentpr puts in its own comments, so a restart finds them and responses never count them. */
export const FOLLOWUP_MARKER = '<!-- agentpr:stale-followup -->';
export const STALE_CLOSE_MARKER = '<!-- agentpr:stale-close -->';
export const OWN_MARKERS: readonly string[] = [FOLLOWUP_MARKER, STALE_CLOSE_MARKER];

/** Comments read per PR (the port's cap); a longer conversation is read up to here. */
const COMMENTS_LIMIT = 300;

/** A PR as the sweep reads it: the PR, its issue view (author, dates), conversation, reviews and inline comments. */
export interface PrConversation {
  pr: PullRequestInfo;
  /** Null when the client cannot read issues (`getIssue` missing) or GitHub does not know the number as an issue. */
  issue: IssueInfo | null;
  /** The PR's author (agentpr's account): the issue's author, else the head repository's owner. */
  author: string | null;
  comments: IssueCommentInfo[];
  reviews: ReviewInfo[];
  reviewComments: ReviewCommentInfo[];
}

/** Reads a PR and what was said on it; optional port methods a client lacks read as empty. Throws GitHub errors. */
export async function readPrConversation(github: GitHubClient, repo: RepoRef, prNumber: number): Promise<PrConversation> {
  const pr = await github.getPullRequest(repo, prNumber);
  const issue = github.getIssue ? await github.getIssue(repo, prNumber) : null;
  const comments = github.listIssueComments ? await github.listIssueComments(repo, prNumber, { limit: COMMENTS_LIMIT }) : [];
  const reviews = await github.listReviews(repo, prNumber);
  const reviewComments = github.listReviewComments ? await github.listReviewComments(repo, prNumber) : [];
  return { pr, issue, author: issue?.author ?? pr.headOwner, comments, reviews, reviewComments };
}

/** Whether a comment body is one of agentpr's own (it carries a marker). */
export function isOwnComment(body: string | null | undefined): boolean {
  return typeof body === 'string' && OWN_MARKERS.some((m) => body.includes(m));
}

/** When maintainers responded after the PR opened: the first and the latest response, ISO 8601 (null when none). */
export interface MaintainerActivity {
  firstResponseAt: string | null;
  lastActivityAt: string | null;
}

const sameLogin = (a: string | null | undefined, b: string | null) => b !== null && (a ?? '').toLowerCase() === b.toLowerCase();

/**
 * The maintainer responses on a PR after `openedAt`: conversation comments whose author association is a
 * maintainer's (not the PR author's, not agentpr's own marked comments), every review and inline review comment not
 * by the PR's author. Times GitHub reports in another format are compared as instants.
 */
export function maintainerActivity(conversation: PrConversation, openedAt: string): MaintainerActivity {
  const opened = Date.parse(openedAt);
  const times: number[] = [];
  const add = (at: string | null | undefined) => {
    const t = at ? Date.parse(at) : NaN;
    if (Number.isFinite(t) && t > opened) times.push(t);
  };
  const author = conversation.author;
  for (const c of conversation.comments) if (isMaintainer(c.authorAssociation) && !sameLogin(c.author, author) && !isOwnComment(c.body)) add(c.createdAt);
  for (const r of conversation.reviews) if (!sameLogin(r.author, author) && !isOwnComment(r.body)) add(r.submittedAt);
  for (const c of conversation.reviewComments) if (!sameLogin(c.author, author)) add(c.createdAt);
  if (times.length === 0) return { firstResponseAt: null, lastActivityAt: null };
  return { firstResponseAt: new Date(Math.min(...times)).toISOString(), lastActivityAt: new Date(Math.max(...times)).toISOString() };
}

/** The newest comment carrying `marker` (a post that a crash kept from being recorded), or undefined. */
export function findMarkedComment(comments: readonly IssueCommentInfo[], marker: string): IssueCommentInfo | undefined {
  return [...comments].reverse().find((c) => typeof c.body === 'string' && c.body.includes(marker));
}
