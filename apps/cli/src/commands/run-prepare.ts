import type { PrepareRunResult } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { flag, requireStr, str } from '../values.js';
import { reportGated } from './gated.js';
import { reportGitStepFailure } from './report-git-step-failure.js';

/** `agentpr run-prepare`: the run's own clone on a new feature branch. */
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
    'allow-duplicate': { type: 'boolean', description: 'go on although the repository already has a PR, issue or branch for this change (audited)' },
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
      allowDuplicate: flag(values, 'allow-duplicate'),
    });
    if (result.kind === 'gated') {
      const { kind: _gated, error: _error, ...stop } = result;
      return reportGated(ctx, { ok: false, gated: true, ...stop }, stop);
    }
    if (result.kind !== 'prepared') return reportGitStepFailure(ctx, 'run-prepare', result);
    const c = result.clone;
    // The JSON run-prepare prints; `exit_code` is the process's exit code.
    const output = { ok: true, exit_code: 0, stdout_tail: result.stdoutTail, state: result.state, ...c, baseline: result.baseline };
    const prepared = `prepared ${c.workspace_dir} on ${c.feature_branch} (base ${c.base_branch} at ${c.base_sha.slice(0, 12)}); state ${result.state}`;
    return { output, text: `${prepared}\n${baselineLine(result.baseline)}` };
  },
};

/** What run-prepare's baseline did (the test command on the base commit, or why it was skipped). */
type BaselineResult = Extract<PrepareRunResult, { kind: 'prepared' }>['baseline'];

const OUTCOME_WORDS = { passed: 'passed', failed: 'failed', error: 'could not run', timed_out: 'timed out' } as const;

/** One line on the baseline: `baseline: npm test failed on the base commit (1 failing: adds numbers)` or `baseline skipped: <why>`. */
export function baselineLine(b: BaselineResult): string {
  if (b.kind === 'skipped') return `baseline skipped: ${b.message}`;
  const names = b.failingTests.map((t) => t.name);
  const listed = names.slice(0, 3).join(', ') + (names.length > 3 ? `, … ${names.length - 3} more` : '');
  const failing = names.length > 0 ? ` (${names.length} failing: ${listed})` : '';
  return `baseline: ${b.command.join(' ')} ${OUTCOME_WORDS[b.outcome]} on the base commit${failing}`;
}
