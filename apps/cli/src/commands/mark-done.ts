import { eventCommand } from './event-command.js';
import { flag } from '../values.js';

/**
 * `agentpr mark-done`: mark a run DONE (from PUSHED, REVIEW_WAIT or NEEDS_HUMAN_REVIEW). Without a merged PR the
 * store knows of, it refuses and names `--force`; a forced one is recorded as forced in the event and the audit.
 */
export const command = eventCommand({
  name: 'mark-done',
  summary: 'Mark a run DONE (from PUSHED, REVIEW_WAIT or NEEDS_HUMAN_REVIEW); without a merged PR known to agentpr it needs --force.',
  example: 'agentpr mark-done --run-id run_45f3cbdcdc56',
  options: {
    force: {
      type: 'boolean',
      description: 'mark it DONE although agentpr knows no merged PR of it (never pushed, no PR linked, or the PR not merged); recorded as forced',
    },
  },
  toCommand: (values) => ({ command: 'mark-done', force: flag(values, 'force') }),
});
