import { eventCommand } from './event-command.js';

/** `agentpr mark-done`: Mark a run DONE (from PUSHED, REVIEW_WAIT or NEEDS_HUMAN_REVIEW). */
export const command = eventCommand({
  name: 'mark-done',
  summary: 'Mark a run DONE (from PUSHED, REVIEW_WAIT or NEEDS_HUMAN_REVIEW).',
  example: 'agentpr mark-done --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'mark-done' }),
});
