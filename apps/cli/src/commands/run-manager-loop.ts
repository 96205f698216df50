import { MANAGER_LOOP_FLAGS, MANAGER_LOOP_SUMMARY } from '@agentpr/manager-loop-app';
import { serviceCommand } from '../service-command.js';

/** `agentpr run-manager-loop` (also the `agentpr-manager` binary): ticks forever. */
export const command = serviceCommand({
  name: 'run-manager-loop',
  summary: MANAGER_LOOP_SUMMARY,
  example: 'agentpr run-manager-loop --prompt-file prompt.md --interval-sec 300',
  gate: 'manager',
  options: MANAGER_LOOP_FLAGS,
  load: async () => (await import('@agentpr/manager-loop-app')).MANAGER_LOOP_SERVICE,
});
