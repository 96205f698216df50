import { eventCommand } from './event-command.js';
import { int, requireStr, str } from '../values.js';
/** `agentpr record-check`: Record a CI conclusion: success-like moves to REVIEW_WAIT, anything else to ITERATING. */
export const command = eventCommand({
  name: 'record-check',
  summary: 'Record a CI conclusion: success-like moves to REVIEW_WAIT, anything else to ITERATING.',
  example: 'agentpr record-check --run-id run_45f3cbdcdc56 --conclusion success --pr-number 123',
  options: {
    conclusion: { type: 'string', value: 'STR', description: 'check conclusion (success, neutral, skipped, failure, …)', required: true },
    'pr-number': { type: 'string', value: 'N', description: 'the pull request number' },
    'head-sha': { type: 'string', value: 'SHA', description: 'the commit the check ran on; a different head than the pushed one is stored, not applied' },
  },
  toCommand: (values) => ({ command: 'record-check', conclusion: requireStr(values, 'conclusion'), prNumber: int(values, 'pr-number', { min: 1 }), headSha: str(values, 'head-sha') }),
});
