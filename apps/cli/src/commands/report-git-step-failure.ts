import type { FinishRunResult, PrepareRunResult } from '@agentpr/orchestrator';
import type { CommandContext, CommandResult } from '../command.js';
import type { CommandStatus } from '../errors.js';

/** A run-prepare or run-finish that did not succeed: a git command (or another step) failed, or a protected file held the run. */
export type GitStepFailure = Extract<PrepareRunResult | FinishRunResult, { kind: 'failed' | 'held' }>;

/** The status of a failed run-prepare or run-finish: git's own exit status is passed on. */
function failureStatus(result: GitStepFailure): CommandStatus {
  return result.kind === 'failed' && result.gitExit !== undefined ? { external: result.gitExit } : 'failed';
}

/** The JSON both commands print when they fail; `exit_code` is the process's exit code. */
function failureJson(result: GitStepFailure): { ok: false; exit_code: number } & Record<string, unknown> {
  switch (result.kind) {
    case 'failed':
      return { ok: false, exit_code: result.gitExit ?? 1, error: result.error, stderr: result.error, state: result.state };
    case 'held':
      return {
        ok: false,
        exit_code: 1,
        reason_code: result.reason,
        error: result.error,
        stderr: result.error,
        state: result.state,
        protected_changes: result.protectedChanges,
      };
  }
}

/**
 * The result of a failed run-prepare or run-finish: one `agentpr: <command> failed: …` line on stderr, the failure
 * JSON, git's exit status passed on (else 1), and a one-line text for terminals.
 */
export function reportGitStepFailure(ctx: Pick<CommandContext, 'stderr'>, command: 'run-prepare' | 'run-finish', result: GitStepFailure): CommandResult {
  const output = failureJson(result);
  ctx.stderr.write(`agentpr: ${command} failed: ${result.error}\n`);
  return { output, status: failureStatus(result), text: `${command} failed (exit ${output.exit_code}, state ${result.state}): ${result.error}` };
}
