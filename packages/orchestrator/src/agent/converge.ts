import type { EngineName } from '@agentpr/policy';
import type { Classification } from '@agentpr/runtime-analysis';
import type { RunState } from '@agentpr/state-machine';
import { applyEvents, requireRun, type EventInput } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { ConvergenceTarget } from './agent-step-result.js';
import type { StepParameters } from './parameters.js';

/** The convergence event for a target (none for UNCHANGED). */
export function convergence(target: ConvergenceTarget, error?: string): EventInput[] {
  if (target === 'UNCHANGED') return [];
  return [{ event: { type: 'command.retry', target_state: target, actor: 'worker', ...(error ? { error } : {}) }, optional: true }];
}

/** The target a non-PASS verdict asks for (policy `on_retryable_state` / `on_human_review_state`). */
export function failureTarget(classification: Classification, params: StepParameters): ConvergenceTarget {
  return classification.grade === 'RETRYABLE' ? params.onRetryable : params.onHumanReview;
}

/** Records a failed step and moves the run to the target; returns the state after (refused transitions change nothing). */
export async function recordStepFailure(
  ctx: AppContext,
  runId: string,
  failure: { step: 'agent' | 'preflight'; reason: string; message: string; target: ConvergenceTarget },
): Promise<RunState> {
  const failed: EventInput = { event: { type: 'worker.step.failed', step: failure.step, reason_code: failure.reason, error_message: failure.message, actor: 'worker' } };
  const results = await applyEvents(ctx.db, runId, [failed, ...convergence(failure.target)], ctx.clock);
  const last = results.at(-1);
  if (last && !last.refused) return last.state;
  return results[0]?.state ?? (await requireRun(ctx.db, runId)).state.current_state;
}

/** Records a refusal of the agent step (workspace missing, dirty, unsafe, skills missing): the run needs a human. */
export function recordRefusal(ctx: AppContext, runId: string, reason: string, message: string): Promise<RunState> {
  return recordStepFailure(ctx, runId, { step: 'agent', reason, message, target: 'NEEDS_HUMAN_REVIEW' });
}

function trimmed(text: string, fallback: string): string {
  const t = text.trim();
  if (!t) return fallback;
  return t.length > 2000 ? `…${t.slice(-2000)}` : t;
}

/** The agent's stderr as the output and the failure event show it: trimmed to its last 2000 characters. */
export function trimmedStderr(stderr: string): string {
  return trimmed(stderr, '');
}

/** What the attempt's verdict asks of the run. */
interface Verdict {
  /** The engine that ran: a failed agent is recorded as `<engine>_agent_failed` (`codex_agent_failed` for codex). */
  engine: EngineName;
  classification: Classification;
  agentExit: number;
  stderr: string;
  successState: ConvergenceTarget;
}

/** The events a judged attempt applies, and the target they aim at. */
type Convergence = { target: ConvergenceTarget; events: EventInput[] };

async function convergenceEvents(ctx: AppContext, runId: string, params: StepParameters, v: Verdict): Promise<Convergence> {
  const c = v.classification;
  if (v.agentExit !== 0) {
    const target = failureTarget(c, params);
    const message = trimmed(v.stderr, `${v.engine} exited ${v.agentExit}`);
    const failed: EventInput = { event: { type: 'worker.step.failed', step: 'agent', reason_code: `${v.engine}_agent_failed`, error_message: message, actor: 'worker' } };
    return { target, events: [failed, ...convergence(target)] };
  }
  if (c.grade !== 'PASS') {
    const target = failureTarget(c, params);
    return { target, events: convergence(target, `agent:${c.reason_code}:${c.grade}`) };
  }
  const now = (await requireRun(ctx.db, runId)).state.current_state;
  if (v.successState === 'LOCAL_VALIDATING' && !['LOCAL_VALIDATING', 'DISCOVERY', 'PLAN_READY'].includes(now)) {
    return { target: 'LOCAL_VALIDATING', events: [{ event: { type: 'command.local.validation.passed', actor: 'worker' }, optional: true }] };
  }
  if (v.successState === 'NEEDS_HUMAN_REVIEW') return { target: 'NEEDS_HUMAN_REVIEW', events: convergence('NEEDS_HUMAN_REVIEW') };
  return { target: 'UNCHANGED', events: [] };
}

/**
 * Moves the run on the verdict: a failed agent or a non-PASS verdict goes to the policy's failure target, a PASS
 * to the success state. The convergence events are applied in one transaction (an optional one the state machine
 * refuses is skipped); the attempt and its artefacts were recorded before, on their own. Returns the target and the
 * state after.
 */
export async function convergeOnVerdict(
  ctx: AppContext,
  runId: string,
  params: StepParameters,
  verdict: Verdict,
): Promise<{ target: ConvergenceTarget; state: RunState }> {
  const { target, events } = await convergenceEvents(ctx, runId, params, verdict);
  if (events.length) await applyEvents(ctx.db, runId, events, ctx.clock);
  return { target, state: (await requireRun(ctx.db, runId)).state.current_state };
}
