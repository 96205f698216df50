import { eventCommand } from './event-command.js';
import { str } from '../values.js';
/** `agentpr resume`: Resume a paused run, by default to the stage it was paused from. */
export const command = eventCommand({
  name: 'resume',
  summary: 'Resume a paused run, by default to the stage it was paused from.',
  example: 'agentpr resume --run-id run_45f3cbdcdc56',
  options: { 'target-state': { type: 'string', value: 'STATE', description: 'where to resume (default: the stage the run was paused from; never a later stage)' } },
  toCommand: (values) => ({ command: 'resume', targetState: str(values, 'target-state') }),
});
