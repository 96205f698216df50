export { runWebhook, DEFAULT_AUDIT_LOG_FILE } from './run-webhook.js';
export type { RunWebhookOptions, WebhookListening } from './run-webhook.js';
export { parseWebhookFlags, WEBHOOK_HELP } from './parse-flags.js';
export type { WebhookFlags } from './parse-flags.js';
export { main } from './main.js';
export type { WebhookIo } from './main.js';
export {
  startWebhookServer,
  normaliseWebhookPath,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONCURRENT_PER_CLIENT,
  DEFAULT_MAX_UNVERIFIED_BYTES,
} from './webhook-server.js';
export type { WebhookServerOptions, WebhookServer } from './webhook-server.js';
export { deliveryAnswer } from './delivery-answer.js';
export type { DeliveryAnswer } from './delivery-answer.js';
export { createWebhookMetrics, LATENCY_BUCKETS } from './webhook-metrics.js';
export type { WebhookMetrics } from './webhook-metrics.js';
export { createAuditRateLimiter } from './audit-rate-limiter.js';
export type { AuditRateLimiter, AuditRateLimiterOptions, SuppressedAudit } from './audit-rate-limiter.js';
export { createWebhookAdmission } from './webhook-admission.js';
export type { WebhookAdmission, WebhookAdmissionOptions, WebhookTicket } from './webhook-admission.js';
export { webhookClientAddress } from './webhook-client-address.js';
export { startWebhookMetricsServer, isLoopbackHost } from './webhook-metrics-server.js';
export type { WebhookMetricsServer, WebhookMetricsServerOptions } from './webhook-metrics-server.js';
