import type { CommandSpec } from '../command.js';
import { requireStr, str } from '../values.js';

/** `agentpr run-prepare`: the run's own clone on a new feature branch (SPEC §2.3, §13.1). */
export const command: CommandSpec = {
  name: 'run-prepare',
  summary: "Clone the upstream into the run's workspace and create its feature branch.",
  example: 'agentpr run-prepare --run-id run_45f3cbdcdc56 --fork-owner my-bot',
  gate: 'github',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    'base-branch': { type: 'string', value: 'BRANCH', description: "upstream branch to start from (default: the upstream's HEAD branch)" },
    'feature-branch': { type: 'string', value: 'BRANCH', description: 'branch to create (default <campaign branch_prefix><date>-<run_id>)' },
    'upstream-url': { type: 'string', value: 'URL', description: 'what to clone (default https://github.com/<owner>/<repo>.git)' },
    'fork-owner': { type: 'string', value: 'OWNER', description: 'owner of the fork to push to (env AGENTPR_FORK_OWNER); without a fork, origin is the upstream' },
    'fork-url': { type: 'string', value: 'URL', description: 'fork clone URL (default https://github.com/<fork-owner>/<repo>.git)' },
  },
  async run(ctx, values) {
    const { prepareRun } = await import('@agentpr/orchestrator');
    const result = await prepareRun(await ctx.app(), {
      runId: requireStr(values, 'run-id'),
      baseBranch: str(values, 'base-branch'),
      featureBranch: str(values, 'feature-branch'),
      upstreamUrl: str(values, 'upstream-url'),
      forkOwner: str(values, 'fork-owner'),
      forkUrl: str(values, 'fork-url'),
    });
    if (!result.ok) {
      ctx.stderr.write(`agentpr: run-prepare failed: ${result.error}\n`);
      return { output: result, status: { external: result.exit_code }, text: `run-prepare failed (exit ${result.exit_code}, state ${result.state}): ${result.error}` };
    }
    return { output: result, text: `prepared ${result.workspace_dir} on ${result.feature_branch} (base ${result.base_branch} at ${result.base_sha.slice(0, 12)}); state ${result.state}` };
  },
};
