import { isRunState, type RunEvent, type RunState } from '@agentpr/state-machine';
import { applyEvent, resultObject, StoreError } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** The operator commands that apply exactly one event. */
export type RunCommand =
  | { command: 'start-discovery' }
  | { command: 'mark-plan-ready'; contractPath: string }
  | { command: 'start-implementation' }
  | { command: 'mark-local-validated' }
  | { command: 'link-pr'; prNumber: number }
  | { command: 'record-check'; conclusion: string; prNumber?: number | undefined; headSha?: string | undefined }
  | { command: 'record-review'; state: string }
  | { command: 'mark-done' }
  | { command: 'pause' }
  | { command: 'resume'; targetState?: string | undefined }
  | { command: 'retry'; targetState: string };

function targetState(value: string | undefined, flag: string): RunState | undefined {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  if (!isRunState(upper)) throw new AgentprError('usage', `${flag} ${value} is not a state; use one of QUEUED, DISCOVERY, PLAN_READY, IMPLEMENTING, LOCAL_VALIDATING, PUSHED, CI_WAIT, REVIEW_WAIT, ITERATING, PAUSED, DONE, SKIPPED, NEEDS_HUMAN_REVIEW, FAILED_RETRYABLE, FAILED_TERMINAL`);
  return upper;
}

/** The event an operator command applies. */
export function commandEvent(cmd: RunCommand, actor: AppContext['actor']): RunEvent {
  switch (cmd.command) {
    case 'start-discovery':
      return { type: 'command.start.discovery', actor };
    case 'mark-plan-ready':
      return { type: 'worker.discovery.completed', contract_path: cmd.contractPath, actor };
    case 'start-implementation':
      return { type: 'command.start.implementation', actor };
    case 'mark-local-validated':
      return { type: 'command.local.validation.passed', actor };
    case 'link-pr':
      return { type: 'command.pr.linked', pr_number: cmd.prNumber, actor };
    case 'record-check':
      return { type: 'github.check.completed', conclusion: cmd.conclusion, pr_number: cmd.prNumber ?? null, head_sha: cmd.headSha ?? null, actor };
    case 'record-review':
      return { type: 'github.review.submitted', state: cmd.state, actor };
    case 'mark-done':
      return { type: 'command.mark.done', actor };
    case 'pause':
      return { type: 'command.pause', actor };
    case 'resume':
      return { type: 'command.resume', target_state: targetState(cmd.targetState, '--target-state'), actor };
    case 'retry': {
      const target = targetState(cmd.targetState, '--target-state');
      if (!target) throw new AgentprError('usage', 'retry needs --target-state');
      return { type: 'command.retry', target_state: target, actor };
    }
  }
}

/** The result of an event command: the CLI result object plus whether it should exit non-zero. */
export interface CommandApplied {
  result: Record<string, unknown>;
  /** record-check/record-review exit 1 when the event was stored but refused by the table or a stale head. */
  refused: boolean;
}

/**
 * Applies an operator command as one event (one transaction) and returns the result object of SPEC §1.3.
 * Refusals throw `refused` with a message naming the states and the allowed targets.
 */
export async function applyCommand(ctx: AppContext, runId: string, cmd: RunCommand, idempotencyKey?: string): Promise<CommandApplied> {
  const event = commandEvent(cmd, ctx.actor);
  try {
    const applied = await applyEvent(ctx.db, runId, { event, idempotencyKey }, ctx.clock);
    const refused = applied.applied === false && (applied.reason === 'invalid_transition' || applied.reason === 'stale_head_sha');
    const result = resultObject(applied);
    // A refusal says why; so does a fact held for a PAUSED or escalated run (and where resume will take it).
    if ((refused || applied.reason === 'held') && applied.message) result.message = applied.message;
    return { result, refused };
  } catch (error) {
    if (error instanceof StoreError && error.code === 'refused') {
      throw new AgentprError('refused', error.message, { details: { state: error.data.state, allowed_targets: error.data.allowed_targets } });
    }
    throw error;
  }
}
