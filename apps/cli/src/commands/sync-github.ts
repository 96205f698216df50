import type { CommandSpec } from '../command.js';
import { flag, int, str } from '../values.js';

/** `agentpr sync-github`: poll GitHub for PR state, checks and reviews. */
export const command: CommandSpec = {
  name: 'sync-github',
  summary: 'Poll GitHub for the PRs of waiting runs and apply merges, CI roll-ups and reviews.',
  example: 'agentpr sync-github --loop --interval-sec 120',
  gate: 'github',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'only this run' },
    limit: { type: 'string', value: 'N', description: 'runs per pass (default 50)' },
    'dry-run': { type: 'boolean', description: 'decide and print, write nothing' },
    loop: { type: 'boolean', description: 'repeat every --interval-sec until stopped' },
    'interval-sec': { type: 'string', value: 'N', description: 'seconds between passes with --loop (default 120)' },
    'max-loops': { type: 'string', value: 'N', description: 'stop after N passes' },
    'github-api-url': { type: 'string', value: 'URL', description: 'GitHub REST root (env GITHUB_API_URL; default https://api.github.com)' },
  },
  async run(ctx, values) {
    const { requireGitHubClient, syncGithub, syncGithubLoop, syncGithubReport } = await import('@agentpr/orchestrator');
    const opened = { ...(await ctx.app()), actor: 'sync' as const };
    // The token is checked before the flags, as always: a missing token is the first thing said.
    const github = await requireGitHubClient(opened, { apiUrl: str(values, 'github-api-url') });
    const app = { ...opened, github: { client: async () => github } };
    const input = { runId: str(values, 'run-id'), limit: int(values, 'limit', { min: 1, default: 50 }), dryRun: flag(values, 'dry-run') };
    const render = (r: ReturnType<typeof syncGithubReport>) =>
      `sync-github: ${r.synced}/${r.scanned} synced, ${r.failures.length} failed${r.dry_run ? ' (dry run)' : ''}${r.failures.map((f) => `\n  ${f.run_id}: ${f.error}`).join('')}`;
    if (!flag(values, 'loop')) {
      const report = syncGithubReport(await syncGithub(app, input));
      // Each failure's own message, one line each (the generic fallback cannot render these objects).
      for (const f of report.failures) ctx.stderr.write(`agentpr: sync-github: ${f.run_id}${f.pr_number !== undefined ? ` (PR #${f.pr_number})` : ''}: ${f.error.split('\n')[0]}\n`);
      return { output: report, status: report.ok ? 'ok' : 'failed', text: render(report) };
    }
    const result = await syncGithubLoop(app, input, {
      intervalSec: int(values, 'interval-sec', { min: 1, default: 120 })!,
      maxLoops: int(values, 'max-loops', { min: 1 }),
      signal: ctx.signal,
      onPass: (pass) => {
        const report = syncGithubReport(pass);
        ctx.stdout.write(`${ctx.json ? JSON.stringify(report) : render(report)}\n`);
      },
    });
    return { output: undefined, status: ctx.signal.aborted ? 'interrupted' : result.failedLoops > 0 ? 'failed' : 'ok' };
  },
};
