import { eventCommand } from './event-command.js';
import { requireStr } from '../values.js';
/** `agentpr retry`: Retry a failed run (FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW) at the stage it left or an earlier one. */
export const command = eventCommand({
  name: 'retry',
  summary: 'Retry a failed run (FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW) at the stage it left or an earlier one.',
  example: 'agentpr retry --run-id run_45f3cbdcdc56 --target-state IMPLEMENTING',
  options: { 'target-state': { type: 'string', value: 'STATE', description: 'the stage to retry (never later than the one the run left; never DONE)', required: true } },
  toCommand: (values) => ({ command: 'retry', targetState: requireStr(values, 'target-state') }),
});
