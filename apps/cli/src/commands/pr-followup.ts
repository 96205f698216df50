import type { PrSweepOutcome, PrSweepResult } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { flag, int, str } from '../values.js';

/** What one PR's outcome means, in a few words; `would` in a dry run. */
export function outcomeText(outcome: PrSweepOutcome): string {
  switch (outcome.kind) {
    case 'backfilled':
      return `opening recorded (opened ${outcome.opened_at}${outcome.source === 'now' ? ', time unknown to GitHub' : ''})`;
    case 'would_backfill':
      return 'would record the opening';
    case 'waiting':
      if (outcome.next) return `${outcome.next.step === 'followup' ? 'follow-up' : 'stale close'} due ${outcome.next.at}`;
      return outcome.note ?? 'nothing to do';
    case 'followed_up':
      return outcome.found_posted ? `follow-up found already posted (comment ${outcome.comment_id}), recorded` : `posted the follow-up (comment ${outcome.comment_id})`;
    case 'would_follow_up':
      return 'would post the follow-up';
    case 'stale_closed':
      return `posted the thank-you and closed the PR as stale; the run is ${outcome.state ?? 'unchanged'}`;
    case 'would_close':
      return 'would post the thank-you and close the PR as stale';
    case 'held':
      return `${outcome.step === 'followup' ? 'follow-up' : 'stale close'} held: outside the schedule window${outcome.frees_at ? ` until ${outcome.frees_at}` : ''}`;
    case 'merged':
      return `merged ${outcome.merged_at}`;
    case 'closed':
      return `closed ${outcome.closed_at}: ${outcome.rejection_category} (${outcome.rejection_evidence})`;
    case 'busy':
      return `skipped: ${outcome.reason}`;
    case 'failed':
      return `FAILED: ${outcome.error}`;
  }
}

function render(result: PrSweepResult): string {
  if (result.kind === 'no_github') return `pr-followup: ${result.message}`;
  const head = `pr-followup${result.dry_run ? ' (dry run: nothing written, posted or closed)' : ''}: ${result.items.length} PR${result.items.length === 1 ? '' : 's'} looked at`;
  if (result.items.length === 0) return `${head}; none was due (each PR is read at most once per --min-interval-minutes)`;
  const rows = result.items.map((i) => [i.run_id, `${i.owner}/${i.repo}#${i.pr_number}`, i.first_response_at ?? '-', clip(outcomeText(i.outcome), 110)]);
  return [head, '', table(['RUN', 'PR', 'FIRST RESPONSE', 'WHAT'], rows)].join('\n');
}

/** `agentpr pr-followup`: one PR follow-up sweep, as the manager runs after each tick. */
export const command: CommandSpec = {
  name: 'pr-followup',
  summary: "Read agentpr's open PRs: maintainer responses, merges, closes with why, and the campaign's stale follow-up.",
  example: 'agentpr pr-followup --dry-run',
  gate: 'github',
  options: {
    'dry-run': { type: 'boolean', description: 'read GitHub and say what would happen; write, post and close nothing' },
    limit: { type: 'string', value: 'N', description: 'PRs to look at (default 50)' },
    'min-interval-minutes': { type: 'string', value: 'N', description: 'skip PRs read less than N minutes ago (default 0: read every PR now)' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL; default https://api.github.com)' },
  },
  async run(ctx, values) {
    const { requireGitHubClient, sweepPrActivity, prSweepSummary } = await import('@agentpr/orchestrator');
    const opened = await ctx.app();
    // The token is checked first, as sync-github does: a missing token is the first thing said.
    const github = await requireGitHubClient(opened, { apiUrl: str(values, 'github-api-url') });
    const app = { ...opened, github: { client: async () => github } };
    const limit = int(values, 'limit', { min: 1, default: 50 });
    const minIntervalMinutes = int(values, 'min-interval-minutes', { min: 0, default: 0 });
    const result = await sweepPrActivity(app, { now: app.clock(), dryRun: flag(values, 'dry-run'), limit, minIntervalMinutes });
    const summary = prSweepSummary(result);
    for (const error of summary.errors) ctx.stderr.write(`agentpr: pr-followup: ${error}\n`);
    const ok = summary.errors.length === 0;
    return { output: { ok, ...result, counts: summary.counts }, status: ok ? 'ok' : 'failed', text: render(result) };
  },
};
