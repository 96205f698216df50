export { checkRunGates, GATES_BY_PHASE } from './gates.js';
export type { GatesReport } from './gates.js';
export type { GateName, GatePhase, GateOutcome, GateVerdict, GateRequest, GateTarget } from './gate-types.js';
export { gateStop } from './gate-stop.js';
export type { GateStop } from './gate-stop.js';
export { githubReach } from './github-reach.js';
export { gateBlockedStage, reenterAfterGate, GATE_ERROR_PREFIX } from './reenter-after-gate.js';
export { sweepPrActivity, prSweepSummary, type PrSweepInput, type PrSweepItem, type PrSweepOutcome, type PrSweepResult, type PrSweepSummary } from './pr-followup.js';
