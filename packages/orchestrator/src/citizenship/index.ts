export { checkRunGates, GATES_BY_PHASE } from './gates.js';
export type { GatesReport } from './gates.js';
export type { GateName, GatePhase, GateOutcome, GateVerdict, GateRequest, GateTarget } from './gate-types.js';
