import { eventCommand } from './event-command.js';
import { requireStr } from '../values.js';
/** `agentpr record-review`: Record a review; changes_requested moves the run to ITERATING. */
export const command = eventCommand({
  name: 'record-review',
  summary: 'Record a review; changes_requested moves the run to ITERATING.',
  example: 'agentpr record-review --run-id run_45f3cbdcdc56 --state changes_requested',
  options: { state: { type: 'string', value: 'STR', description: 'review state (approved, commented, changes_requested, …)', required: true } },
  toCommand: (values) => ({ command: 'record-review', state: requireStr(values, 'state') }),
});
