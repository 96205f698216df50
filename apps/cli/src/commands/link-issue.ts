import type { LinkIssueResult } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { flag, int, requireStr, str } from '../values.js';

/** One line for a terminal: what the run is tied to now. */
export function linkIssueText(r: LinkIssueResult): string {
  const was = r.previous !== null ? ` (was #${r.previous})` : '';
  if (r.kind === 'cleared') return `${r.run_id} is no longer tied to an issue of ${r.owner}/${r.repo}${r.previous !== null ? ` (was #${r.previous})` : ' (it had none)'}`;
  return `${r.run_id} is tied to ${r.owner}/${r.repo}#${r.issue.number} (${r.issue.state}): "${r.issue.title}" ${r.issue.html_url}${was}; its PR will say "Closes #${r.issue.number}"`;
}

/** `agentpr link-issue`: tie a run to an upstream issue (checked on GitHub), or untie it. */
export const command: CommandSpec = {
  name: 'link-issue',
  summary: 'Tie a run to an issue of its upstream repository (checked on GitHub), or untie it with --clear.',
  example: 'agentpr link-issue --run-id run_45f3cbdcdc56 --issue 12',
  gate: (values) => (values.clear === true ? 'basic' : 'github'),
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    issue: { type: 'string', value: 'N', description: "the issue number in the run's upstream repository (open or closed; not a pull request)" },
    clear: { type: 'boolean', description: 'untie the run from its issue instead' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL; default https://api.github.com)' },
  },
  async run(ctx, values) {
    const { linkIssue, createGitHubPort } = await import('@agentpr/orchestrator');
    const issue = int(values, 'issue', { min: 1 });
    const runId = requireStr(values, 'run-id');
    const opened = await ctx.app();
    const app = { ...opened, github: createGitHubPort(opened.env, { apiUrl: str(values, 'github-api-url'), log: opened.log }) };
    const result = await linkIssue(app, { runId, issue, clear: flag(values, 'clear') });
    const { kind, ...rest } = result;
    return { output: { ok: true, linked: kind === 'linked', ...rest, ...(kind === 'cleared' ? { issue: null } : {}) }, text: linkIssueText(result) };
  },
};
