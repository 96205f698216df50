export { main } from './main.js';
export type { CliIo } from './main.js';
export { webhookProbe, WEBHOOK_PROBE_CHECKS } from './probe/webhook-probe.js';
export type { WebhookProbeReport, WebhookProbeCheck, WebhookProbeInput } from './probe/webhook-probe.js';
