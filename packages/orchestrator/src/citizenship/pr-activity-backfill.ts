import type { GitHubClient } from '@agentpr/github';
import { recordPrOpened, type UnrecordedPr } from '@agentpr/store';
import type { AppContext } from '../context.js';

/** When GitHub says the PR opened and its URL; `source` names where the time came from. */
export interface PrOpening {
  openedAt: string;
  prUrl: string | null;
  source: 'issue' | 'pull_list' | 'now';
}

/**
 * When a PR linked by hand was opened: the issue view's `created_at` (getIssue), else the repository's PR list
 * (listPullRequests), else now when the client can read neither. Throws GitHub errors.
 */
export async function prOpening(github: GitHubClient, run: Pick<UnrecordedPr, 'owner' | 'repo' | 'pr_number'>, now: Date): Promise<PrOpening> {
  const repo = { owner: run.owner, repo: run.repo };
  const issue = github.getIssue ? await github.getIssue(repo, run.pr_number) : null;
  if (issue && Number.isFinite(Date.parse(issue.createdAt))) return { openedAt: new Date(issue.createdAt).toISOString(), prUrl: issue.htmlUrl || null, source: 'issue' };
  if (github.listPullRequests) {
    const listed = (await github.listPullRequests(repo, { state: 'all', limit: 100 })).find((p) => p.number === run.pr_number);
    if (listed && Number.isFinite(Date.parse(listed.createdAt))) return { openedAt: new Date(listed.createdAt).toISOString(), prUrl: listed.htmlUrl || null, source: 'pull_list' };
  }
  return { openedAt: now.toISOString(), prUrl: null, source: 'now' };
}

/** Records the opening of a PR that was linked by hand (`link-pr`) and has no activity row yet. */
export async function backfillPrActivity(ctx: AppContext, github: GitHubClient, run: UnrecordedPr, now: Date): Promise<PrOpening> {
  const opening = await prOpening(github, run, now);
  await recordPrOpened(
    ctx.db,
    { runId: run.run_id, owner: run.owner, repo: run.repo, campaign: run.campaign, prNumber: run.pr_number, prUrl: opening.prUrl, openedAt: opening.openedAt },
    ctx.clock,
  );
  return opening;
}
