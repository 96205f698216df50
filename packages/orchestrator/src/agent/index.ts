export { runAgentStep } from './run-agent-step.js';
export type { RunAgentStepInput, AgentProgress } from './run-agent-step.js';
export type { AgentLaunchRequest, AgentRunHandlers, PreparedAgentLaunch } from './agent-runner.js';
export { agentStepOutcome, agentStepPassed } from './agent-step-result.js';
export type { RunAgentStepResult, ConvergedAgentStep, RefusedAgentStep, AgentStepReports, AgentStepOutcome, ConvergenceTarget } from './agent-step-result.js';
export { resolveConfinement, modelEndpoints, startAttemptEgress, socatBridge, ISOLATION_NONE_WARNING } from './confinement.js';
export type { Confinement, ModelEndpoint, AttemptEgress } from './confinement.js';
export { gatherCiReviewFeedback, renderFeedbackSection, FEEDBACK_LIMITS } from './ci-review-feedback.js';
export type { CiReviewFeedback, FailedCheckFeedback } from './ci-review-feedback.js';
