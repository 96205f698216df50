// Moved to ../policy-error.ts (the reports went to @agentpr/reports). Kept only until agent/run-agent-step.ts and
// manager/manager-loop.ts import '../policy-error.js'; then delete this file and the analysis/ folder.
export { policyError } from '../policy-error.js';
