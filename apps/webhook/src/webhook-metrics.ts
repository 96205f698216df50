/** Latency buckets of the webhook histogram, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Counters and a latency histogram of the webhook server, rendered as Prometheus text. */
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
  /** The Prometheus text exposition (version 0.0.4). */
  render(): string;
}

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** New, empty webhook metrics. */
export function createWebhookMetrics(): WebhookMetrics {
  const byOutcome = new Map<string, number>();
  const rollups = new Map<string, number>();
  const buckets = LATENCY_BUCKETS.map(() => 0);
  let count = 0;
  let sum = 0;
  const metrics: WebhookMetrics = {
    inFlight: 0,
    unverifiedBytes: 0,
    droppedConnections: 0,
    auditSuppressed: 0,
    observe(outcome, seconds) {
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      count++;
      sum += seconds;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) buckets[i]!++;
    },
    rollup(result) {
      rollups.set(result, (rollups.get(result) ?? 0) + 1);
    },
    counts: () => Object.fromEntries(byOutcome),
    render() {
      const lines: string[] = [];
      lines.push('# HELP agentpr_webhook_deliveries_total Webhook POSTs answered, by outcome.');
      lines.push('# TYPE agentpr_webhook_deliveries_total counter');
      for (const [outcome, n] of [...byOutcome].sort()) lines.push(`agentpr_webhook_deliveries_total{outcome="${escape(outcome)}"} ${n}`);
      lines.push('# HELP agentpr_webhook_request_duration_seconds Time from request to reply for webhook POSTs.');
      lines.push('# TYPE agentpr_webhook_request_duration_seconds histogram');
      LATENCY_BUCKETS.forEach((le, i) => lines.push(`agentpr_webhook_request_duration_seconds_bucket{le="${le}"} ${buckets[i]}`));
      lines.push(`agentpr_webhook_request_duration_seconds_bucket{le="+Inf"} ${count}`);
      lines.push(`agentpr_webhook_request_duration_seconds_sum ${sum}`);
      lines.push(`agentpr_webhook_request_duration_seconds_count ${count}`);
      lines.push('# HELP agentpr_webhook_rollups_total Check roll-ups run after a successful check, by result.');
      lines.push('# TYPE agentpr_webhook_rollups_total counter');
      for (const [result, n] of [...rollups].sort()) lines.push(`agentpr_webhook_rollups_total{result="${escape(result)}"} ${n}`);
      lines.push('# HELP agentpr_webhook_in_flight Webhook requests being processed.');
      lines.push('# TYPE agentpr_webhook_in_flight gauge');
      lines.push(`agentpr_webhook_in_flight ${metrics.inFlight}`);
      lines.push('# HELP agentpr_webhook_unverified_body_bytes Body bytes reserved by requests whose signature is not checked yet.');
      lines.push('# TYPE agentpr_webhook_unverified_body_bytes gauge');
      lines.push(`agentpr_webhook_unverified_body_bytes ${metrics.unverifiedBytes}`);
      lines.push('# HELP agentpr_webhook_dropped_connections_total Connections closed at once because the connection cap was reached.');
      lines.push('# TYPE agentpr_webhook_dropped_connections_total counter');
      lines.push(`agentpr_webhook_dropped_connections_total ${metrics.droppedConnections}`);
      lines.push('# HELP agentpr_webhook_audit_suppressed_total Audit lines of unauthenticated requests left out by the rate limit.');
      lines.push('# TYPE agentpr_webhook_audit_suppressed_total counter');
      lines.push(`agentpr_webhook_audit_suppressed_total ${metrics.auditSuppressed}`);
      return `${lines.join('\n')}\n`;
    },
  };
  return metrics;
}
