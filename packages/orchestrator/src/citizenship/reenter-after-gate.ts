import type { RunState } from '@agentpr/state-machine';
import { applyEvent, applyEvents, type RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { GatePhase } from './gate-types.js';

/** The `last_error` prefix `checkRunGates` writes when a gate blocks a run: `gate:<gate>:<reason>:<message>`. */
export const GATE_ERROR_PREFIX = 'gate:';

/** Where a run blocked at a phase goes back to once the gates let it go. */
const STAGE_OF: Readonly<Partial<Record<GatePhase, RunState>>> = { prepare: 'DISCOVERY', pr_request: 'PUSHED' };

/**
 * The stage a run waits to re-enter because a gate of `phase` blocked it there: it is in NEEDS_HUMAN_REVIEW with a
 * gate's `last_error`, and it left the pipeline at that phase's stage (DISCOVERY for prepare, PUSHED for a PR
 * request). Null for any other run, which the phase's command treats as usual.
 */
export function gateBlockedStage(found: Pick<RunWithState, 'state'>, phase: GatePhase): RunState | null {
  const { current_state: state, last_error: error, last_active_state: left } = found.state;
  const stage = STAGE_OF[phase];
  if (!stage || state !== 'NEEDS_HUMAN_REVIEW' || !error?.startsWith(GATE_ERROR_PREFIX)) return null;
  return left === stage || (stage === 'DISCOVERY' && left === 'QUEUED') ? stage : null;
}

/**
 * Puts a run a gate blocked back where it was, after a human got it past the gate (`--allow-duplicate`, a linked
 * issue) and the gates passed: PUSHED by `command.retry`, DISCOVERY by `command.pause` then
 * `command.start.discovery` in one transaction (the table has no direct move from NEEDS_HUMAN_REVIEW back to DISCOVERY). Events carry
 * the caller's actor, so the log says who let the run go on. Returns the run's state.
 */
export async function reenterAfterGate(ctx: AppContext, runId: string, stage: RunState): Promise<RunState> {
  const actor = ctx.actor;
  if (stage === 'DISCOVERY') {
    const applied = await applyEvents(ctx.db, runId, [{ event: { type: 'command.pause', actor } }, { event: { type: 'command.start.discovery', actor } }], ctx.clock);
    return applied.at(-1)!.state;
  }
  return (await applyEvent(ctx.db, runId, { event: { type: 'command.retry', target_state: stage, actor } }, ctx.clock)).state;
}
