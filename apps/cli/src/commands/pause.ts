import { eventCommand } from './event-command.js';

/** `agentpr pause`: pause a run (not from FAILED_RETRYABLE or a terminal state); resume returns it to where it was. */
export const command = eventCommand({
  name: 'pause',
  summary: 'Pause a run (not from FAILED_RETRYABLE or a terminal state); resume returns it to the state it was paused from.',
  example: 'agentpr pause --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'pause' }),
});
