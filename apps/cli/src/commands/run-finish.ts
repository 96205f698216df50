import type { CommandSpec } from '../command.js';
import { requireStr, str } from '../values.js';
import { reportGitStepFailure } from './report-git-step-failure.js';

/** `agentpr run-finish`: commit exactly the measured changes and push the branch to the fork. */
export const command: CommandSpec = {
  name: 'run-finish',
  summary: 'Commit the measured changes and push the feature branch to the fork (LOCAL_VALIDATING only).',
  example: 'agentpr run-finish --run-id run_45f3cbdcdc56 --changes "Add the example provider" --commit-title "feat(providers): add example"',
  gate: 'github',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    changes: { type: 'string', value: 'TEXT', description: 'what changed, for the commit body', required: true },
    project: { type: 'string', value: 'NAME', description: 'project name for the commit body (default: the repository name)' },
    'commit-title': { type: 'string', value: 'TITLE', description: "one line, conventional-commit form, e.g. 'feat(api): add x' (default: the campaign's)" },
  },
  async run(ctx, values) {
    const { finishRun } = await import('@agentpr/orchestrator');
    const result = await finishRun(await ctx.app(), {
      runId: requireStr(values, 'run-id'),
      changes: requireStr(values, 'changes'),
      project: str(values, 'project'),
      commitTitle: str(values, 'commit-title'),
    });
    if (result.kind !== 'pushed') return reportGitStepFailure(ctx, 'run-finish', result);
    // The JSON run-finish prints; `exit_code` is the process's exit code.
    const output = {
      ok: true,
      exit_code: 0,
      branch: result.branch,
      head_sha: result.headSha,
      state: result.state,
      committed: result.committed,
      changed_files: result.changedFiles,
      stdout_tail: result.stdoutTail,
    };
    return { output, text: `pushed ${result.branch} at ${result.headSha.slice(0, 12)}; state ${result.state}` };
  },
};
