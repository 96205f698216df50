export { webhookProbe, WEBHOOK_PROBE_CHECKS, WebhookProbeInputSchema } from './webhook-probe.js';
export type { WebhookProbeCheck, WebhookProbeCheckName, WebhookProbeReport, WebhookProbeInput, WebhookProbeDeps } from './webhook-probe.js';
