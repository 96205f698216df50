export { runWebhook, DEFAULT_AUDIT_LOG_FILE } from './run-webhook.js';
export type { RunWebhookOptions, WebhookListening } from './run-webhook.js';
export { parseWebhookArgs, WEBHOOK_FLAGS, WEBHOOK_HELP, WEBHOOK_SUMMARY } from './parse-flags.js';
export type { WebhookArgs } from './parse-flags.js';
export { main, WEBHOOK_SERVICE } from './main.js';
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
export { createDeliveryProcessor } from './delivery-processor.js';
export type { VerifiedDelivery, ProcessedDelivery } from './delivery-processor.js';
