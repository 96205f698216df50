export {
  RUN_STATES,
  TERMINAL_STATES,
  FAILURE_STATES,
  PARKED_STATES,
  HOLD_STATES,
  PIPELINE_RANK,
  TRANSITIONS,
  isRunState,
  isTerminal,
  isActive,
  allowedTargets,
  canTransition,
} from './states.js';
export type { RunState } from './states.js';
export { EVENT_TYPES, SUCCESS_CONCLUSIONS, eventPayload, isOperatorActor } from './events.js';
export type { Actor, EventType, RunEvent, StepName } from './events.js';
export {
  TARGET_RULES,
  resolveEvent,
  nextSnapshot,
  operatorTargets,
  defaultResumeTarget,
  transitionPairs,
} from './resolve-event.js';
export type { RunSnapshot, ResolveContext, Resolution, RefusalCode, NotAppliedReason, TargetRule } from './resolve-event.js';
export { renderMermaid } from './mermaid.js';
export { holdFact, heldFactsTarget, parseHeldFacts, serializeHeldFacts } from './held-facts.js';
export type { HeldFacts, HeldEvent } from './held-facts.js';
