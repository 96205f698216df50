import { eventCommand } from './event-command.js';

/** `agentpr pause`: Pause a run (not from FAILED_RETRYABLE or a terminal state). */
export const command = eventCommand({
  name: 'pause',
  summary: 'Pause a run (not from FAILED_RETRYABLE or a terminal state).',
  example: 'agentpr pause --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'pause' }),
});
