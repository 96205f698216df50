import { eventCommand } from './event-command.js';

/** `agentpr mark-local-validated`: Record that local validation passed: the run moves to LOCAL_VALIDATING. */
export const command = eventCommand({
  name: 'mark-local-validated',
  summary: 'Record that local validation passed: the run moves to LOCAL_VALIDATING.',
  example: 'agentpr mark-local-validated --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'mark-local-validated' }),
});
