import { eventCommand } from './event-command.js';
import { requireStr } from '../values.js';
/** `agentpr mark-plan-ready`: Record the discovery contract and move the run to PLAN_READY. */
export const command = eventCommand({
  name: 'mark-plan-ready',
  summary: 'Record the discovery contract and move the run to PLAN_READY.',
  example: 'agentpr mark-plan-ready --run-id run_45f3cbdcdc56 --contract-path ./contract.md',
  options: { 'contract-path': { type: 'string', value: 'PATH', description: 'the contract document (not checked)', required: true } },
  toCommand: (values) => ({ command: 'mark-plan-ready', contractPath: requireStr(values, 'contract-path') }),
});
