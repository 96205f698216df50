/** Every state a run can be in, in pipeline order where there is one. */
export const RUN_STATES = [
  'QUEUED',
  'DISCOVERY',
  'PLAN_READY',
  'IMPLEMENTING',
  'LOCAL_VALIDATING',
  'PUSHED',
  'CI_WAIT',
  'REVIEW_WAIT',
  'ITERATING',
  'PAUSED',
  'DONE',
  'SKIPPED',
  'NEEDS_HUMAN_REVIEW',
  'FAILED_RETRYABLE',
  'FAILED_TERMINAL',
] as const;

/** One of the 15 run states. */
export type RunState = (typeof RUN_STATES)[number];

/** States with no way out. Every state-setting event is refused in them, same-state ones included. */
export const TERMINAL_STATES: ReadonlySet<RunState> = new Set<RunState>(['DONE', 'SKIPPED', 'FAILED_TERMINAL']);

/** States that record that something went wrong. */
export const FAILURE_STATES: ReadonlySet<RunState> = new Set<RunState>([
  'FAILED_RETRYABLE',
  'NEEDS_HUMAN_REVIEW',
  'FAILED_TERMINAL',
]);

/** States a run is parked in while it is off the pipeline; entering one from the pipeline records `last_active_state`. */
export const PARKED_STATES: ReadonlySet<RunState> = new Set<RunState>(['PAUSED', 'FAILED_RETRYABLE', 'NEEDS_HUMAN_REVIEW']);

/**
 * States only a human command moves a run out of (deliberately, issue 13): a check,
 * review or unmerged close that arrives in them is held — stored with the run, not applied — and `resume` acts on
 * it. A merged PR still moves the run to DONE.
 */
export const HOLD_STATES: ReadonlySet<RunState> = new Set<RunState>(['PAUSED', 'NEEDS_HUMAN_REVIEW']);

/**
 * Pipeline rank of the active states. resume and retry never move a run to a higher rank than the stage it left.
 * `ITERATING` shares rank 3 with `IMPLEMENTING`.
 */
export const PIPELINE_RANK: Readonly<Partial<Record<RunState, number>>> = {
  DISCOVERY: 1,
  PLAN_READY: 2,
  IMPLEMENTING: 3,
  ITERATING: 3,
  LOCAL_VALIDATING: 4,
  PUSHED: 5,
  CI_WAIT: 6,
  REVIEW_WAIT: 7,
};

/** The complete transition table. A merged PR and `command.run.skip` (to SKIPPED from any non-terminal state) are the only events that do not follow it. */
export const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  QUEUED: ['DISCOVERY', 'PAUSED', 'SKIPPED', 'FAILED_TERMINAL'],
  DISCOVERY: ['PLAN_READY', 'PAUSED', 'SKIPPED', 'FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW'],
  PLAN_READY: ['IMPLEMENTING', 'PAUSED', 'SKIPPED', 'NEEDS_HUMAN_REVIEW'],
  IMPLEMENTING: ['LOCAL_VALIDATING', 'PAUSED', 'FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW'],
  LOCAL_VALIDATING: ['PUSHED', 'PAUSED', 'FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW'],
  PUSHED: ['CI_WAIT', 'PAUSED', 'NEEDS_HUMAN_REVIEW', 'DONE'],
  CI_WAIT: ['REVIEW_WAIT', 'ITERATING', 'PAUSED', 'FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW'],
  REVIEW_WAIT: ['ITERATING', 'PAUSED', 'DONE', 'FAILED_RETRYABLE', 'NEEDS_HUMAN_REVIEW'],
  ITERATING: ['IMPLEMENTING', 'LOCAL_VALIDATING', 'PAUSED', 'FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW'],
  PAUSED: [
    'DISCOVERY',
    'PLAN_READY',
    'IMPLEMENTING',
    'LOCAL_VALIDATING',
    'PUSHED',
    'CI_WAIT',
    'REVIEW_WAIT',
    'ITERATING',
    'NEEDS_HUMAN_REVIEW',
    'SKIPPED',
    'FAILED_TERMINAL',
  ],
  NEEDS_HUMAN_REVIEW: ['IMPLEMENTING', 'ITERATING', 'PUSHED', 'PAUSED', 'SKIPPED', 'DONE', 'FAILED_TERMINAL'],
  FAILED_RETRYABLE: ['DISCOVERY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING', 'NEEDS_HUMAN_REVIEW', 'SKIPPED', 'FAILED_TERMINAL'],
  DONE: [],
  SKIPPED: [],
  FAILED_TERMINAL: [],
};

/** True when `value` names one of the 15 states (exact, upper-case). */
export function isRunState(value: unknown): value is RunState {
  return typeof value === 'string' && (RUN_STATES as readonly string[]).includes(value);
}

/** True for `DONE`, `SKIPPED` and `FAILED_TERMINAL`. */
export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.has(state);
}

/** True for the states that have a pipeline rank. */
export function isActive(state: RunState): boolean {
  return PIPELINE_RANK[state] !== undefined;
}

/** The table row for `state`, sorted alphabetically (what inspect-run and error messages show). */
export function allowedTargets(state: RunState): RunState[] {
  return [...TRANSITIONS[state]].sort();
}

/** True when the table allows `from → to`. Same-state moves are not in the table; see {@link resolveEvent}. */
export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}
