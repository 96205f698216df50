import type { CommandSpec } from '../command.js';
import { flag, requireStr, str } from '../values.js';
import { reportGated } from './gated.js';

/** `agentpr approve-open-pr`: the second half of the PR gate. */
export const command: CommandSpec = {
  name: 'approve-open-pr',
  summary: 'Open the requested PR after re-checking the token, the branch head and the Definition of Done.',
  example: 'agentpr approve-open-pr --run-id run_45f3cbdcdc56 --request-file ~/.local/share/agentpr/reports/run_45f3cbdcdc56_pr_open_request_20261123T100000000000Z.json --confirm-token 3F… --confirm',
  gate: 'github',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    'request-file': { type: 'string', value: 'PATH', description: 'the file request-open-pr wrote', required: true },
    'confirm-token': { type: 'string', value: 'TOKEN', description: 'the token request-open-pr printed' },
    confirm: { type: 'boolean', description: 'yes, open the PR on GitHub (the second confirmation)' },
    'allow-expired': { type: 'boolean', description: 'accept a request past its expiry' },
    'allow-dod-bypass': { type: 'boolean', description: 'emergencies only: open the PR although the DoD gate failed (audited)' },
    'ignore-limits': { type: 'boolean', description: 'emergencies only: open the PR although a PR limit or the schedule window holds it back (audited)' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL; default https://api.github.com)' },
  },
  async run(ctx, values) {
    const { approveOpenPr, approveOpenPrReport, createGitHubPort } = await import('@agentpr/orchestrator');
    const opened = await ctx.app();
    // GitHub is asked for its client only when the PR is really created, so a missing token does not hide the checks.
    const app = { ...opened, github: createGitHubPort(opened.env, { apiUrl: str(values, 'github-api-url'), log: opened.log }) };
    const result = await approveOpenPr(app, {
      runId: requireStr(values, 'run-id'),
      requestFile: requireStr(values, 'request-file'),
      confirmToken: str(values, 'confirm-token'),
      confirm: flag(values, 'confirm'),
      allowExpired: flag(values, 'allow-expired'),
      allowDodBypass: flag(values, 'allow-dod-bypass'),
      ignoreLimits: flag(values, 'ignore-limits'),
    });
    if (result.kind === 'gated') return reportGated(ctx, approveOpenPrReport(result), result);
    const text =
      result.kind === 'already_linked'
        ? `run is already linked to PR #${result.pr_number} (CI_WAIT)`
        : `PR #${result.pr_number} ${result.kind === 'opened' ? 'opened' : 'already existed'}: ${result.pr_url ?? '(no URL)'}; run is ${result.state}${result.bypassed ? ' — DoD gate BYPASSED (audited)' : ''}`;
    return { output: approveOpenPrReport(result), text };
  },
};
