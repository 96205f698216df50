export { decide, retryTarget } from './decide.js';
export type { Decision, ManagerActionKind, RunFacts, StepKey } from './decide.js';
export { gatherFacts, runFingerprint } from './gather-facts.js';
export type { FactInputs } from './gather-facts.js';
export { autoContract, escalate, markPlanReady, retryRun, startDiscovery, startImplementation } from './actions.js';
export type { ActionOutcome, ContractOutcome, ManagerActions } from './actions.js';
export { managerTick, candidateRuns } from './manager-tick.js';
export type { TickOptions, TickReport, RunTickResult, ActionRecord } from './manager-tick.js';
