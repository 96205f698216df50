import { eventCommand } from './event-command.js';

/** `agentpr start-discovery`: Move a run into DISCOVERY (from QUEUED, PAUSED or FAILED_RETRYABLE). */
export const command = eventCommand({
  name: 'start-discovery',
  summary: 'Move a run into DISCOVERY (from QUEUED, PAUSED or FAILED_RETRYABLE).',
  example: 'agentpr start-discovery --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'start-discovery' }),
});
