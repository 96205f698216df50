import { describe, expect, it } from 'vitest';
import { createWebhookMetrics } from './webhook-metrics.js';

describe('createWebhookMetrics', () => {
  it('render exposes deliveries by outcome and a cumulative latency histogram', async () => {
    const m = createWebhookMetrics();
    m.observe('processed', 0.002);
    m.observe('processed', 0.04);
    m.observe('invalid_signature', 20);
    const text = await m.render();
    expect(text).toContain('agentpr_webhook_deliveries_total{outcome="processed"} 2');
    expect(text).toContain('agentpr_webhook_deliveries_total{outcome="invalid_signature"} 1');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_bucket{le="0.001"} 0');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_bucket{le="0.0025"} 1');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_bucket{le="0.05"} 2');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_bucket{le="10"} 2');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_bucket{le="+Inf"} 3');
    expect(text).toContain('agentpr_webhook_request_duration_seconds_count 3');
  });
});
