import type { WebhookDeliveryResult } from '@agentpr/orchestrator';

/** The HTTP answer to a processed delivery, and what the audit line and the metrics record of it. */
export interface DeliveryAnswer {
  status: 200 | 409 | 500;
  /** The outcome named in the audit log and the metrics. */
  outcome: 'processed' | 'ignored' | 'refused' | 'duplicate_delivery' | 'delivery_conflict' | 'unhandled_error';
  /** The JSON body of the reply. */
  body: Record<string, unknown>;
  processed: number;
  ignored: number;
  retryableFailures: number;
  error: string;
}

/**
 * Maps the use case's typed result to the HTTP answer GitHub gets: settled and duplicate deliveries
 * are 200, a reused id with another payload 409, a failure 500 (GitHub redelivers; no claim was left).
 */
export function deliveryAnswer(result: WebhookDeliveryResult): DeliveryAnswer {
  const base = { event: result.eventName, delivery: result.deliveryId };
  switch (result.kind) {
    case 'applied':
    case 'ignored':
    case 'refused': {
      const { processed, ignored, results } = result;
      const outcome = result.kind === 'applied' ? 'processed' : result.kind;
      const body = { ok: true, ...base, processed, ignored, retryable_failures: 0, failures: [], results };
      return { status: 200, outcome, body, processed, ignored, retryableFailures: 0, error: '' };
    }
    case 'duplicate':
      return { status: 200, outcome: 'duplicate_delivery', body: { ok: true, ...base, duplicate_delivery: true }, processed: 0, ignored: 0, retryableFailures: 0, error: '' };
    case 'conflict':
      return { status: 409, outcome: 'delivery_conflict', body: { ok: false, ...base, error: result.error }, processed: 0, ignored: 0, retryableFailures: 0, error: result.error };
    case 'failed':
      return { status: 500, outcome: 'unhandled_error', body: { ok: false, ...base, error: result.error }, processed: 0, ignored: 0, retryableFailures: 1, error: result.error };
  }
}
