import { eventCommand } from './event-command.js';
import { str } from '../values.js';

/** `agentpr resume`: resume a paused run, by default to the state it was paused from (NEEDS_HUMAN_REVIEW included). */
export const command = eventCommand({
  name: 'resume',
  summary: 'Resume a paused run, by default to the state it was paused from (NEEDS_HUMAN_REVIEW included).',
  example: 'agentpr resume --run-id run_45f3cbdcdc56',
  options: {
    'target-state': {
      type: 'string',
      value: 'STATE',
      description: 'where to resume (default: where GitHub facts held during the pause send it, else the state it was paused from; never a later stage)',
    },
  },
  toCommand: (values) => ({ command: 'resume', targetState: str(values, 'target-state') }),
});
