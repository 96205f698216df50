import type { GateStop } from '@agentpr/orchestrator';
import type { CommandContext, CommandResult } from '../command.js';
import type { CommandStatus } from '../errors.js';

/** A held gate frees later (75, try again); a blocked or skipped run needs a human or is over (1). */
export function gatedStatus(stop: Pick<GateStop, 'outcome'>): CommandStatus {
  return stop.outcome === 'held' ? 'busy' : 'failed';
}

/**
 * The result of a command a gate stopped (run-prepare, request-open-pr, approve-open-pr): the gate's one line on
 * stderr (`agentpr: …`), the command's JSON, and the status of {@link gatedStatus}.
 */
export function reportGated(ctx: Pick<CommandContext, 'stderr'>, output: unknown, stop: Pick<GateStop, 'outcome' | 'message'>): CommandResult {
  ctx.stderr.write(`agentpr: ${stop.message}\n`);
  return { output, status: gatedStatus(stop), text: stop.message };
}
