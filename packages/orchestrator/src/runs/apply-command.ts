import { isRunState, type RunEvent, type RunState } from '@agentpr/state-machine';
import { addAuditRecord, applyEvent, inTransaction, StoreError, type ApplyResult } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { markDoneEvent } from './mark-done.js';

/** The operator commands that apply exactly one event. */
export type RunCommand =
  | { command: 'start-discovery' }
  | { command: 'mark-plan-ready'; contractPath: string }
  | { command: 'start-implementation' }
  | { command: 'mark-local-validated' }
  | { command: 'link-pr'; prNumber: number }
  | { command: 'record-check'; conclusion: string; prNumber?: number | undefined; headSha?: string | undefined }
  | { command: 'record-review'; state: string }
  /** `force`: mark it DONE although the store knows no merged PR of it (recorded as forced). */
  | { command: 'mark-done'; force?: boolean | undefined }
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

/** The result object that an event command prints (keys in this order). */
export interface CommandResultView {
  duplicate: boolean;
  event_type: string;
  run_id: string;
  state: RunState;
  /** Present (false) when the event was stored without changing the run. */
  applied?: false;
  reason?: string;
  /** Why a refusal or a held fact did not change the run (and where resume will take it). */
  message?: string;
}

/**
 * What an event command did: `applied` (the run moved, or the event was a no-op the table allows), `duplicate`
 * (the idempotency key was seen; nothing changed), `stored` (kept without changing the run, e.g. a fact held for
 * a PAUSED run) or `refused` (stored, but the table or a stale head refused it; record-check and record-review
 * report this as a failure).
 */
export type CommandApplied =
  | { kind: 'applied' | 'duplicate'; result: CommandResultView }
  | { kind: 'stored'; reason: string; result: CommandResultView }
  | { kind: 'refused'; reason: 'invalid_transition' | 'stale_head_sha'; result: CommandResultView };

function view(applied: ApplyResult, message: string | undefined): CommandResultView {
  return {
    duplicate: applied.duplicate,
    event_type: applied.event_type,
    run_id: applied.run_id,
    state: applied.state,
    ...(applied.applied === false ? { applied: false as const, reason: applied.reason } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

function classify(applied: ApplyResult): CommandApplied {
  const refused = applied.applied === false && (applied.reason === 'invalid_transition' || applied.reason === 'stale_head_sha');
  // A refusal says why; so does a fact held for a PAUSED or escalated run (and where resume will take it).
  const message = (refused || applied.reason === 'held') && applied.message ? applied.message : undefined;
  const result = view(applied, message);
  if (refused) return { kind: 'refused', reason: applied.reason as 'invalid_transition' | 'stale_head_sha', result };
  if (applied.applied === false) return { kind: 'stored', reason: applied.reason ?? 'not_applied', result };
  return { kind: applied.duplicate ? 'duplicate' : 'applied', result };
}

/**
 * mark-done (see {@link markDoneEvent}): a forced one is also an audit record (`mark_done_forced`), written in the
 * transaction of its event.
 */
async function markDone(ctx: AppContext, runId: string, force: boolean, idempotencyKey: string | undefined): Promise<ApplyResult> {
  const event = await markDoneEvent(ctx.db, runId, force, ctx.actor);
  if (!event.forced) return applyEvent(ctx.db, runId, { event, idempotencyKey }, ctx.clock);
  return inTransaction(ctx.db, async (trx) => {
    const applied = await applyEvent(trx, runId, { event, idempotencyKey }, ctx.clock);
    if (!applied.duplicate) {
      await addAuditRecord(trx, { kind: 'mark_done_forced', runId, actor: ctx.actor, detail: { why: event.why, from: applied.from, event_id: applied.event_id ?? null } }, ctx.clock);
    }
    return applied;
  });
}

/**
 * Applies an operator command as one event (one transaction). Refusals of the table throw `refused` with a
 * message naming the states and the allowed targets; a stored-but-refused GitHub fact is the `refused` kind.
 */
export async function applyCommand(ctx: AppContext, runId: string, cmd: RunCommand, idempotencyKey?: string): Promise<CommandApplied> {
  try {
    if (cmd.command === 'mark-done') return classify(await markDone(ctx, runId, cmd.force === true, idempotencyKey));
    return classify(await applyEvent(ctx.db, runId, { event: commandEvent(cmd, ctx.actor), idempotencyKey }, ctx.clock));
  } catch (error) {
    if (error instanceof StoreError && error.code === 'refused') {
      throw new AgentprError('refused', error.message, { details: { state: error.data.state, allowed_targets: error.data.allowed_targets } });
    }
    throw error;
  }
}
