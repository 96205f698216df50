import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets of the webhook histogram, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * Counters and a latency histogram of the webhook server (prom-client, one registry per server). The gauges and
 * the plain-number counters below are set on the hot path as numbers and read by prom-client at scrape time.
 */
export interface WebhookMetrics {
  /** Counts one answered POST by outcome and adds its latency. */
  observe(outcome: string, seconds: number): void;
  /** Counts a roll-up by result (`success`, `failure`, `pending`, `error`, `unavailable`). */
  rollup(result: string): void;
  /** Requests being processed now (set by the server). */
  inFlight: number;
  /** Bytes of request bodies read or reserved whose signature is not checked yet (set by the server). */
  unverifiedBytes: number;
  /** Connections closed at once because the server had `maxConnections` open. */
  droppedConnections: number;
  /** Audit lines of unauthenticated requests left out by the rate limit. */
  auditSuppressed: number;
  /** Answered POSTs by outcome. */
  counts(): Record<string, number>;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  /** The exposition's content type. */
  readonly contentType: string;
}

/** New, empty webhook metrics on their own prom-client registry. */
export function createWebhookMetrics(): WebhookMetrics {
  const registry = new Registry();
  const byOutcome = new Map<string, number>();
  const deliveries = new Counter({ name: 'agentpr_webhook_deliveries_total', help: 'Webhook POSTs answered, by outcome.', labelNames: ['outcome'], registers: [registry] });
  const duration = new Histogram({
    name: 'agentpr_webhook_request_duration_seconds',
    help: 'Time from request to reply for webhook POSTs.',
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  const rollups = new Counter({ name: 'agentpr_webhook_rollups_total', help: 'Check roll-ups run after a successful check, by result.', labelNames: ['result'], registers: [registry] });
  const byLabel = new Map<string, Counter.Internal>();
  const metrics: WebhookMetrics = {
    inFlight: 0,
    unverifiedBytes: 0,
    droppedConnections: 0,
    auditSuppressed: 0,
    contentType: registry.contentType,
    observe(outcome, seconds) {
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      let child = byLabel.get(outcome);
      if (!child) {
        child = deliveries.labels(outcome);
        byLabel.set(outcome, child);
      }
      child.inc();
      duration.observe(seconds);
    },
    rollup: (result) => rollups.labels(result).inc(),
    counts: () => Object.fromEntries(byOutcome),
    render: () => registry.metrics(),
  };
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('agentpr_webhook_in_flight', 'Webhook requests being processed.', () => metrics.inFlight);
  gauge('agentpr_webhook_unverified_body_bytes', 'Body bytes reserved by requests whose signature is not checked yet.', () => metrics.unverifiedBytes);
  // Counters kept as numbers on the hot path, exposed with counter semantics.
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('agentpr_webhook_dropped_connections_total', 'Connections closed at once because the connection cap was reached.', () => metrics.droppedConnections);
  counter('agentpr_webhook_audit_suppressed_total', 'Audit lines of unauthenticated requests left out by the rate limit.', () => metrics.auditSuppressed);
  return metrics;
}
