export { runWebhook, DEFAULT_AUDIT_LOG_FILE } from './run-webhook.js';
export type { RunWebhookOptions, WebhookListening } from './run-webhook.js';
export { parseWebhookFlags, WEBHOOK_HELP } from './parse-flags.js';
export type { WebhookFlags } from './parse-flags.js';
export { main } from './main.js';
export type { WebhookIo } from './main.js';
