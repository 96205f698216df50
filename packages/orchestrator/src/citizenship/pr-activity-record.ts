import type { GitHubClient, PullRequestInfo } from '@agentpr/github';
import { getRun, iso, recordPrOpened } from '@agentpr/store';
import type { AppContext } from '../context.js';

/**
 * Records that agentpr opened a run's PR (or found it already open) in `pr_activity`, for the funnel, the PR limits
 * and the stale follow-up: opened now when GitHub created it, else when GitHub says it was opened. Never throws:
 * the PR is open and linked whatever happens here, and the sweep backfills a row that is missing.
 */
export async function recordPrOpening(ctx: AppContext, github: GitHubClient, input: { runId: string; pr: PullRequestInfo; created: boolean }): Promise<void> {
  const { runId, pr } = input;
  try {
    const found = await getRun(ctx.db, runId);
    if (!found) return;
    const { owner, repo, campaign } = found.run;
    let openedAt = iso(ctx.clock());
    if (!input.created && github.getIssue) {
      const issue = await github.getIssue({ owner, repo }, pr.number);
      if (issue && Number.isFinite(Date.parse(issue.createdAt))) openedAt = new Date(issue.createdAt).toISOString();
    }
    await recordPrOpened(ctx.db, { runId, owner, repo, campaign, prNumber: pr.number, prUrl: pr.url || null, openedAt }, ctx.clock);
  } catch (error) {
    ctx.log.warn('recording the PR opening failed; the PR follow-up sweep will backfill it', { run_id: runId, pr_number: pr.number, error: (error as Error).message });
  }
}
