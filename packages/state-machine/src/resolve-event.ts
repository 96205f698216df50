import { isOperatorActor, SUCCESS_CONCLUSIONS, type EventType, type RunEvent } from './events.js';
import { heldFactsTarget, holdFact, type HeldEvent, type HeldFacts } from './held-facts.js';
import {
  allowedTargets,
  canTransition,
  FAILURE_STATES,
  HOLD_STATES,
  isActive,
  isTerminal,
  PARKED_STATES,
  PIPELINE_RANK,
  TRANSITIONS,
  type RunState,
} from './states.js';

/** The part of a run that event resolution reads. */
export interface RunSnapshot {
  state: RunState;
  lastError: string | null;
  lastActiveState: RunState | null;
  /** GitHub facts held while the run is in a {@link HOLD_STATES} state; absent or null when there are none. */
  heldFacts?: HeldFacts | null;
  /**
   * The state a `PAUSED` run was paused from (absent or null otherwise, and for runs paused before it was
   * recorded). It differs from `lastActiveState` only for a run paused from `NEEDS_HUMAN_REVIEW`, which keeps the
   * stage it left the pipeline from as `lastActiveState` (the limit of a later retry).
   */
  pausedFrom?: RunState | null;
}

/** Extra facts some events are checked against. */
export interface ResolveContext {
  /** Used in messages. */
  runId?: string;
  /** `sha` of the run's latest `branch` artefact; github events for another head are not applied. */
  pushedHeadSha?: string | null;
}

/** Why a refused event was refused. */
export type RefusalCode = 'illegal_transition' | 'no_target' | 'terminal_state' | 'operator_rule' | 'target_required';

/** Why an event was stored but did not change the state. */
export type NotAppliedReason = 'no_transition' | 'invalid_transition' | 'stale_head_sha' | 'terminal_state' | 'held';

/** The outcome of resolving one event against a run. */
export type Resolution =
  | { outcome: 'applied'; next: RunSnapshot; from: RunState; sameState: boolean }
  | { outcome: 'stored'; reason: NotAppliedReason; message: string; next: RunSnapshot }
  | { outcome: 'refused'; code: RefusalCode; message: string; allowedTargets: RunState[] };

/** How a command event picks its target: from a fixed set of source states, or a fixed target checked by the table. */
export type TargetRule = { to: RunState; from: readonly RunState[] } | { to: RunState; from: 'table'; never?: readonly RunState[] };

/** Target rules of the events whose target does not come from the payload. */
export const TARGET_RULES: Readonly<Partial<Record<EventType, TargetRule>>> = {
  'command.start.discovery': { to: 'DISCOVERY', from: ['QUEUED', 'PAUSED', 'FAILED_RETRYABLE'] },
  'command.start.implementation': { to: 'IMPLEMENTING', from: ['PLAN_READY', 'ITERATING', 'PAUSED'] },
  'command.local.validation.passed': { to: 'LOCAL_VALIDATING', from: ['IMPLEMENTING', 'ITERATING', 'PAUSED'] },
  'command.mark.done': { to: 'DONE', from: ['PUSHED', 'REVIEW_WAIT', 'NEEDS_HUMAN_REVIEW'] },
  'worker.discovery.completed': { to: 'PLAN_READY', from: 'table', never: ['QUEUED'] },
  'worker.push.completed': { to: 'PUSHED', from: 'table' },
  'command.pr.linked': { to: 'CI_WAIT', from: 'table' },
  'command.pause': { to: 'PAUSED', from: 'table' },
  'timer.timeout': { to: 'FAILED_RETRYABLE', from: 'table' },
};

const HINTS: Partial<Record<EventType, string>> = {
  'worker.discovery.completed': 'Run start-discovery first.',
  'command.mark.done': 'mark-done works from PUSHED, REVIEW_WAIT or NEEDS_HUMAN_REVIEW.',
};

function runLabel(ctx: ResolveContext): string {
  return ctx.runId ? `run ${ctx.runId}` : 'the run';
}

function refuse(code: RefusalCode, message: string, targets: RunState[] = []): Resolution {
  return { outcome: 'refused', code, message, allowedTargets: targets };
}

function terminalRefusal(run: RunSnapshot, event: RunEvent, ctx: ResolveContext): Resolution {
  return refuse(
    'terminal_state',
    `${runLabel(ctx)} is in ${run.state}; ${run.state} is terminal and accepts no ${event.type}. Use create-run to start again.`,
  );
}

/**
 * The run after moving to `to`, applying the `last_error` and `last_active_state` rules: a move into a parked
 * state from the pipeline records the stage it left; a move into a non-failure state clears `last_error`. Held
 * facts survive moves between hold states and are dropped by any other move (the move has acted on them).
 * Entering `PAUSED` records `pausedFrom`; leaving it drops it.
 */
export function nextSnapshot(run: RunSnapshot, to: RunState, error?: string): RunSnapshot {
  const held = run.heldFacts ?? null;
  if (to === run.state) {
    const paused = run.pausedFrom ? { pausedFrom: run.pausedFrom } : {};
    return { state: to, lastError: error ?? run.lastError, lastActiveState: run.lastActiveState, heldFacts: held, ...paused };
  }
  const lastError = error ?? (FAILURE_STATES.has(to) || to === 'PAUSED' ? run.lastError : null);
  const leavingPipeline = PARKED_STATES.has(to) && !PARKED_STATES.has(run.state) && (isActive(run.state) || run.state === 'QUEUED');
  const heldFacts = HOLD_STATES.has(to) && HOLD_STATES.has(run.state) ? held : null;
  const paused = to === 'PAUSED' ? { pausedFrom: run.state } : {};
  return { state: to, lastError, lastActiveState: leavingPipeline ? run.state : run.lastActiveState, heldFacts, ...paused };
}

function move(run: RunSnapshot, to: RunState, event: RunEvent, ctx: ResolveContext, error?: string): Resolution {
  if (isTerminal(run.state)) return terminalRefusal(run, event, ctx);
  if (to !== run.state && !canTransition(run.state, to)) {
    const targets = allowedTargets(run.state);
    return refuse(
      'illegal_transition',
      `${event.type} cannot move ${runLabel(ctx)} from ${run.state} to ${to}; allowed from ${run.state}: ${targets.join(', ') || 'none'}.`,
      targets,
    );
  }
  return { outcome: 'applied', next: nextSnapshot(run, to, error), from: run.state, sameState: to === run.state };
}

/** The rank limit that resume and retry must stay within: the stage the run left (QUEUED counts as DISCOVERY). */
function rankLimit(run: RunSnapshot): number {
  const last = run.lastActiveState;
  if (last === null || last === 'QUEUED') return 1;
  return PIPELINE_RANK[last] ?? 1;
}

/**
 * The targets an operator may choose for `resume` or `retry` from the run's current state:
 * table-allowed, never a later pipeline stage than `last_active_state`, and never `DONE` for retry.
 */
export function operatorTargets(run: RunSnapshot, command: 'resume' | 'retry'): RunState[] {
  const limit = rankLimit(run);
  return allowedTargets(run.state).filter((target) => {
    if (command === 'retry' && target === 'DONE') return false;
    const rank = PIPELINE_RANK[target];
    return rank === undefined || rank <= limit;
  });
}

/**
 * The default target of `resume` without `--target-state`: where the facts held during the pause send the run
 * (a failing check or a changes-requested review → ITERATING, see {@link heldFactsTarget}), else the state the
 * run was paused from — `NEEDS_HUMAN_REVIEW` included (issue 15: it used to resume to the stage before the
 * escalation) — else the stage it left the pipeline from (runs paused before `pausedFrom` was recorded).
 */
export function defaultResumeTarget(run: RunSnapshot): RunState | null {
  const held = heldFactsTarget(run.heldFacts, run.lastActiveState);
  if (held && canTransition(run.state, held)) return held;
  if (run.state === 'PAUSED' && run.pausedFrom === 'NEEDS_HUMAN_REVIEW') return 'NEEDS_HUMAN_REVIEW';
  if (run.lastActiveState === 'QUEUED') return 'DISCOVERY';
  return run.lastActiveState;
}

function heldError(run: RunSnapshot, target: RunState): string | undefined {
  const pr = run.heldFacts?.closedPr;
  return target === 'NEEDS_HUMAN_REVIEW' && pr !== undefined ? `github:pr_closed_unmerged:${pr}` : undefined;
}

function resolveOperatorMove(run: RunSnapshot, event: RunEvent & { type: 'command.resume' | 'command.retry' }, ctx: ResolveContext): Resolution {
  const command = event.type === 'command.resume' ? 'resume' : 'retry';
  if (isTerminal(run.state)) return terminalRefusal(run, event, ctx);
  if (command === 'resume' && run.state !== 'PAUSED') {
    return refuse('operator_rule', `resume works only from PAUSED; ${runLabel(ctx)} is in ${run.state}.${run.state === 'FAILED_RETRYABLE' || run.state === 'NEEDS_HUMAN_REVIEW' ? ' Use retry.' : ''}`);
  }
  if (command === 'retry' && run.state !== 'FAILED_RETRYABLE' && run.state !== 'NEEDS_HUMAN_REVIEW') {
    return refuse('operator_rule', `retry works only from FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW; ${runLabel(ctx)} is in ${run.state}.${run.state === 'PAUSED' ? ' Use resume.' : ''}`);
  }
  const targets = operatorTargets(run, command);
  if (command === 'resume' && !event.target_state) {
    // Facts held during the pause decide the default; they may send the run past the stage it left (an
    // all-green roll-up: CI_WAIT → REVIEW_WAIT), which an operator-chosen target may not do.
    const held = heldFactsTarget(run.heldFacts, run.lastActiveState);
    if (held && canTransition(run.state, held)) return move(run, held, event, ctx, heldError(run, held));
  }
  const target = event.target_state ?? (command === 'resume' ? defaultResumeTarget(run) : null);
  if (!target) {
    return refuse('target_required', `${runLabel(ctx)} has no recorded stage to ${command} to; pass --target-state (one of ${targets.join(', ')}).`, targets);
  }
  if (!targets.includes(target)) {
    return refuse(
      'operator_rule',
      `${command} cannot move ${runLabel(ctx)} from ${run.state} to ${target}; allowed targets: ${targets.join(', ') || 'none'}.`,
      targets,
    );
  }
  return move(run, target, event, ctx, event.type === 'command.retry' ? event.error : undefined);
}

function storeOnly(run: RunSnapshot, reason: NotAppliedReason, message: string): Resolution {
  return { outcome: 'stored', reason, message, next: run };
}

const HELD_WHAT: Record<HeldEvent['type'], string> = {
  'github.check.completed': 'check result',
  'github.review.submitted': 'review',
  'github.pull_request.closed': 'PR close',
};

/** A check, review or unmerged close in a hold state: stored with the run's held facts, state unchanged. */
function hold(run: RunSnapshot, event: HeldEvent, ctx: ResolveContext): Resolution {
  const heldFacts = holdFact(run.heldFacts, event);
  const next: RunSnapshot = { ...run, heldFacts };
  const resumeTo = run.state === 'PAUSED' ? defaultResumeTarget(next) : null;
  const after = run.state === 'PAUSED' ? `resume then goes to ${resumeTo ?? 'the --target-state given'}` : 'retry or pause-and-resume act on it';
  return storeOnly(next, 'held', `${runLabel(ctx)} is ${run.state}; only a human command moves it, so this ${HELD_WHAT[event.type]} is held (${after})`);
}

function resolveGithub(run: RunSnapshot, event: RunEvent, ctx: ResolveContext): Resolution {
  const holdable =
    event.type === 'github.check.completed' ||
    (event.type === 'github.review.submitted' && ['changes_requested', 'approved'].includes(event.state.trim().toLowerCase())) ||
    (event.type === 'github.pull_request.closed' && !event.merged);
  if (HOLD_STATES.has(run.state) && holdable) {
    if (event.type === 'github.check.completed') {
      const head = event.head_sha ?? null;
      if (head && ctx.pushedHeadSha && head.toLowerCase() !== ctx.pushedHeadSha.toLowerCase()) {
        return storeOnly(run, 'stale_head_sha', `check for head ${head} does not match the pushed head ${ctx.pushedHeadSha}`);
      }
    }
    return hold(run, event, ctx);
  }
  let target: RunState;
  let error: string | undefined;
  switch (event.type) {
    case 'github.check.completed': {
      const head = event.head_sha ?? null;
      if (head && ctx.pushedHeadSha && head.toLowerCase() !== ctx.pushedHeadSha.toLowerCase()) {
        return storeOnly(run, 'stale_head_sha', `check for head ${head} does not match the pushed head ${ctx.pushedHeadSha}`);
      }
      target = SUCCESS_CONCLUSIONS.has(event.conclusion.trim().toLowerCase()) ? 'REVIEW_WAIT' : 'ITERATING';
      break;
    }
    case 'github.review.submitted':
      if (event.state.trim().toLowerCase() !== 'changes_requested') {
        return storeOnly(run, 'no_transition', `review state ${event.state.trim().toLowerCase() || '(empty)'} does not move the run`);
      }
      target = 'ITERATING';
      break;
    case 'github.pull_request.closed':
      if (event.merged) {
        if (isTerminal(run.state)) return storeOnly(run, 'invalid_transition', `run is already ${run.state}`);
        return { outcome: 'applied', next: nextSnapshot(run, 'DONE'), from: run.state, sameState: false };
      }
      target = 'NEEDS_HUMAN_REVIEW';
      error = `github:pr_closed_unmerged:${event.pr_number}`;
      break;
    default:
      throw new Error(`not a github event: ${event.type}`);
  }
  const resolution = move(run, target, event, ctx, error);
  if (resolution.outcome === 'refused') return storeOnly(run, 'invalid_transition', resolution.message);
  return resolution;
}

/**
 * Resolves `event` against the run's current state: the next state, `last_error` and
 * `last_active_state`, or why the event is stored without effect (github events), or why it is refused.
 * Pure: the store applies the result in the transaction that inserts the event.
 *
 * @example
 * resolveEvent({ state: 'QUEUED', lastError: null, lastActiveState: null }, { type: 'command.start.discovery' })
 * // → { outcome: 'applied', next: { state: 'DISCOVERY', … }, … }
 */
export function resolveEvent(run: RunSnapshot, event: RunEvent, ctx: ResolveContext = {}): Resolution {
  switch (event.type) {
    case 'github.check.completed':
    case 'github.review.submitted':
    case 'github.pull_request.closed':
      return resolveGithub(run, event, ctx);
    case 'worker.step.failed': {
      const error = `${event.step}:${event.reason_code}:${event.error_message}`;
      if (isTerminal(run.state)) return storeOnly(run, 'terminal_state', `${runLabel(ctx)} is ${run.state}; the failure is recorded only`);
      if (run.state === 'PUSHED') return move(run, 'NEEDS_HUMAN_REVIEW', event, ctx, error);
      if (run.state === 'FAILED_RETRYABLE' || canTransition(run.state, 'FAILED_RETRYABLE')) return move(run, 'FAILED_RETRYABLE', event, ctx, error);
      // The failure is kept even where the table has no failure move.
      return { outcome: 'applied', next: nextSnapshot(run, run.state, error), from: run.state, sameState: true };
    }
    case 'command.resume':
    case 'command.retry':
      if (isOperatorActor(event.actor)) return resolveOperatorMove(run, event, ctx);
      if (!event.target_state) return refuse('target_required', `${event.type} needs a target_state`);
      return move(run, event.target_state, event, ctx, event.type === 'command.retry' ? event.error : undefined);
    case 'timer.timeout':
      return resolveRule(run, event, ctx, `timeout:${event.step}`);
    case 'worker.workspace.rebuilt':
    case 'worker.workspace.work_lost':
      // A fact about where the workspace lives, not a step: the run stays where it is, its last_error too.
      if (isTerminal(run.state)) return storeOnly(run, 'terminal_state', `${runLabel(ctx)} is ${run.state}; the workspace fact is recorded only`);
      return { outcome: 'applied', next: nextSnapshot(run, run.state), from: run.state, sameState: true };
    case 'command.run.skip':
      // Like a merged PR, a skip does not follow the table: any run that has not ended can be ended this way.
      if (isTerminal(run.state)) return terminalRefusal(run, event, ctx);
      return { outcome: 'applied', next: nextSnapshot(run, 'SKIPPED', `skip:${event.reason_code}:${event.message}`), from: run.state, sameState: false };
    case 'command.start.discovery':
    case 'command.start.implementation':
    case 'command.local.validation.passed':
    case 'command.mark.done':
    case 'worker.discovery.completed':
    case 'worker.push.completed':
    case 'command.pr.linked':
    case 'command.pause':
      return resolveRule(run, event, ctx);
    default: {
      const unreachable: never = event;
      throw new Error(`unknown event ${(unreachable as RunEvent).type}`);
    }
  }
}

function resolveRule(run: RunSnapshot, event: RunEvent, ctx: ResolveContext, error?: string): Resolution {
  const rule = TARGET_RULES[event.type];
  if (!rule) throw new Error(`no target rule for ${event.type}`);
  if (isTerminal(run.state)) return terminalRefusal(run, event, ctx);
  const hint = HINTS[event.type] ? ` ${HINTS[event.type]}` : '';
  const sources = rule.from === 'table' ? null : rule.from;
  const excluded = rule.from === 'table' && rule.never?.includes(run.state);
  if ((sources && !sources.includes(run.state)) || excluded) {
    return refuse('no_target', `${event.type} does not apply to ${runLabel(ctx)} in ${run.state}.${hint}`, allowedTargets(run.state));
  }
  return move(run, rule.to, event, ctx, error);
}

/** Every (from, to) pair of the table, for rendering and exhaustive tests. */
export function transitionPairs(): Array<[RunState, RunState]> {
  return (Object.keys(TRANSITIONS) as RunState[]).flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as [RunState, RunState]));
}
