import { eventCommand } from './event-command.js';
import { requireInt } from '../values.js';
/** `agentpr link-pr`: Link an existing PR number to a pushed run (moves it to CI_WAIT). */
export const command = eventCommand({
  name: 'link-pr',
  summary: 'Link an existing PR number to a pushed run (moves it to CI_WAIT).',
  example: 'agentpr link-pr --run-id run_45f3cbdcdc56 --pr-number 123',
  options: { 'pr-number': { type: 'string', value: 'N', description: 'the pull request number', required: true } },
  toCommand: (values) => ({ command: 'link-pr', prNumber: requireInt(values, 'pr-number', { min: 1 }) }),
});
