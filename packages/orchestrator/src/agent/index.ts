export { runAgentStep } from './run-agent-step.js';
export type { RunAgentStepInput, RunAgentStepOutcome, AgentProgress, ConvergenceTarget } from './run-agent-step.js';
