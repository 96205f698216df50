import { eventCommand } from './event-command.js';

/** `agentpr start-implementation`: Move a run into IMPLEMENTING (from PLAN_READY, ITERATING or PAUSED). */
export const command = eventCommand({
  name: 'start-implementation',
  summary: 'Move a run into IMPLEMENTING (from PLAN_READY, ITERATING or PAUSED).',
  example: 'agentpr start-implementation --run-id run_45f3cbdcdc56',

  toCommand: () => ({ command: 'start-implementation' }),
});
