import { WEBHOOK_FLAGS, WEBHOOK_SUMMARY } from '@agentpr/webhook-app';
import { serviceCommand } from '../service-command.js';

/** `agentpr run-github-webhook` (also the `agentpr-webhook` binary): the signed GitHub webhook receiver. */
export const command = serviceCommand({
  name: 'run-github-webhook',
  summary: WEBHOOK_SUMMARY,
  example: 'AGENTPR_GITHUB_WEBHOOK_SECRET=… agentpr run-github-webhook --host 0.0.0.0 --port 8787',
  gate: 'webhook',
  options: WEBHOOK_FLAGS,
  load: async () => (await import('@agentpr/webhook-app')).WEBHOOK_SERVICE,
});
