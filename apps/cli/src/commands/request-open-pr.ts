import type { CommandSpec } from '../command.js';
import { flag, int, requireStr, str } from '../values.js';
import { reportGated } from './gated.js';
import { requestText } from './pr-request-text.js';

/** `agentpr request-open-pr`: the first half of the PR gate. */
export const command: CommandSpec = {
  name: 'request-open-pr',
  summary: 'Ask to open a PR for a pushed run: bind the branch head and print a one-time confirm token.',
  example: 'agentpr request-open-pr --run-id run_45f3cbdcdc56',
  gate: 'github',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run (must be PUSHED)', required: true },
    title: { type: 'string', value: 'TEXT', description: "PR title (default: the campaign template's title, filled; a generic title is refused)" },
    body: { type: 'string', value: 'TEXT', description: 'PR body (default: the campaign template rendered with the run; unfilled {placeholders} are refused)' },
    'body-file': { type: 'string', value: 'PATH', description: 'file with the PR body (instead of --body)' },
    base: { type: 'string', value: 'BRANCH', description: 'upstream branch to merge into (default: the prepared base, else the upstream default)' },
    head: { type: 'string', value: 'BRANCH', description: 'fork branch (default: the workspace branch)' },
    draft: { type: 'boolean', description: 'open the PR as a draft' },
    'confirm-ttl-minutes': { type: 'string', value: 'N', description: 'minutes the confirm token is valid (default 30)' },
    'allow-duplicate': { type: 'boolean', description: 'go on although the repository already has a PR, issue or branch for this change (audited)' },
    'ignore-limits': { type: 'boolean', description: 'emergencies only: ask although a PR limit or the schedule window holds the PR back (audited)' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL): the default branch and the gates (AI policy, duplicates, etiquette)' },
  },
  async run(ctx, values) {
    const { requestOpenPr, requestOpenPrReport, createGitHubPort } = await import('@agentpr/orchestrator');
    const opened = await ctx.app();
    const app = { ...opened, github: createGitHubPort(opened.env, { apiUrl: str(values, 'github-api-url'), log: opened.log }) };
    // As before the ports: without --base, an unsafe --github-api-url is refused before anything is read.
    if (!str(values, 'base')) await app.github.client();
    const result = await requestOpenPr(app, {
      runId: requireStr(values, 'run-id'),
      title: str(values, 'title'),
      body: str(values, 'body'),
      bodyFile: str(values, 'body-file'),
      base: str(values, 'base'),
      head: str(values, 'head'),
      draft: flag(values, 'draft'),
      confirmTtlMinutes: int(values, 'confirm-ttl-minutes', { min: 1, default: 30 }),
      allowDuplicate: flag(values, 'allow-duplicate'),
      ignoreLimits: flag(values, 'ignore-limits'),
    });
    if (result.kind === 'gated') return reportGated(ctx, requestOpenPrReport(result), result);
    return {
      output: requestOpenPrReport(result),
      text: requestText(result),
    };
  },
};
