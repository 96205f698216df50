import type { AssistantTool, ToolRuntime } from '../tool.js';
import { createRunTool } from './create-run-tool.js';
import { driveRunTool } from './drive-run-tool.js';
import { explainReasonCodeTool } from './explain-reason-code-tool.js';
import { explainStateTool } from './explain-state-tool.js';
import { inboxTool } from './inbox-tool.js';
import { inspectRunTool } from './inspect-run-tool.js';
import { listRunsTool } from './list-runs-tool.js';
import { pendingPrsTool } from './pending-prs-tool.js';
import { pauseRunTool, resumeRunTool, retryRunTool } from './run-command-tools.js';
import { runBottlenecksTool } from './run-bottlenecks-tool.js';
import { showRunTool } from './show-run-tool.js';
import { skillsFeedbackTool, skillsMetricsTool } from './skills-tools.js';
import { webhookAuditTool } from './webhook-audit-tool.js';

/**
 * The whitelisted tools, read and write. Approving a PR is never one of them: a human approves with `/approve_pr` or
 * `agentpr approve-open-pr` and the confirm token. Write tools only become pending actions a human confirms.
 */
export const ASSISTANT_TOOLS: readonly AssistantTool[] = Object.freeze([
  listRunsTool,
  showRunTool,
  inspectRunTool,
  runBottlenecksTool,
  pendingPrsTool,
  inboxTool,
  skillsMetricsTool,
  skillsFeedbackTool,
  webhookAuditTool,
  explainStateTool,
  explainReasonCodeTool,
  pauseRunTool,
  resumeRunTool,
  retryRunTool,
  createRunTool,
  driveRunTool,
]);

/** The tools an app can offer: all of them, less `drive_run` when it supplies no `tickRun`. */
export function assistantTools(runtime: Pick<ToolRuntime, 'tickRun'>): readonly AssistantTool[] {
  return runtime.tickRun ? ASSISTANT_TOOLS : ASSISTANT_TOOLS.filter((tool) => tool.name !== driveRunTool.name);
}

export { closeReasonCodes } from './explain-reason-code-tool.js';
export { REASON_CODE_NOTES } from './reason-code-notes.js';
export type { ReasonCodeNote } from './reason-code-notes.js';
export { STATE_NOTES } from './state-notes.js';
export type { StateNote } from './state-notes.js';
