import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, freshDatabase, sendWebhook, type TestDatabase } from '@agentpr/testing';
import { createWebhookMetrics } from '../webhook-metrics.js';
import { isLoopbackHost, startWebhookMetricsServer, type WebhookMetricsServer } from '../webhook-metrics-server.js';
import { startWebhookServer, type WebhookServer } from '../webhook-server.js';
import { testApp, type TestApp } from './fixtures.js';

let listener: WebhookMetricsServer | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});
afterAll(() => cleanupTempDirs());

describe('startWebhookMetricsServer', () => {
  it('serves /metrics on loopback by default and nothing else', async () => {
    const metrics = createWebhookMetrics();
    metrics.observe('processed', 0.01);
    listener = await startWebhookMetricsServer({ metrics, port: 0 });
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}/metrics`);
    const r = await fetch(listener.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await r.text()).toContain('agentpr_webhook_deliveries_total{outcome="processed"} 1');
    expect((await fetch(listener.url.replace('/metrics', '/github/webhook'), { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('with a token, /metrics needs Authorization: Bearer <token>', async () => {
    listener = await startWebhookMetricsServer({ metrics: createWebhookMetrics(), port: 0, token: 'scrape-token-1' });
    expect((await fetch(listener.url)).status).toBe(401);
    expect((await fetch(listener.url, { headers: { authorization: 'Bearer scrape-token-2' } })).status).toBe(401);
    expect((await fetch(listener.url, { headers: { authorization: 'Basic scrape-token-1' } })).status).toBe(401);
    const ok = await fetch(listener.url, { headers: { authorization: 'Bearer scrape-token-1' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('agentpr_webhook_in_flight 0');
  });

  it('a non-loopback host without a token refuses to start with a config error naming the fix', async () => {
    await expect(startWebhookMetricsServer({ metrics: createWebhookMetrics(), port: 0, host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringMatching(/metrics host 0\.0\.0\.0 is not loopback: pass --metrics-token/),
    });
  });

  it('isLoopbackHost accepts 127/8, ::1 and localhost only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com'].map(isLoopbackHost)).toEqual([false, false, false, false, false]);
  });
});

describe('startWebhookServer metrics option', () => {
  let tdb: TestDatabase;
  let app: TestApp;
  let server: WebhookServer | undefined;
  beforeEach(async () => {
    tdb = await freshDatabase('sqlite');
    app = await testApp(tdb.location, 'webhook');
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await app.close();
    await tdb.drop();
  });

  it('the public port never serves /metrics; the metrics listener counts what it answered', async () => {
    server = await startWebhookServer({ ctx: app.ctx, port: 0, secret: 's', metrics: { port: 0, token: 't0k' } });
    expect(server.metricsUrl).not.toContain(`:${server.port}/`);
    await sendWebhook(`${server.url}/github/webhook`, { event: 'ping', payload: { zen: 'z' }, secret: 'wrong' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const text = await (await fetch(server.metricsUrl!, { headers: { authorization: 'Bearer t0k' } })).text();
    expect(text).toContain('agentpr_webhook_deliveries_total{outcome="invalid_signature"} 1');
  });

  it('without the option there is no metrics listener; a busy metrics port fails the start and frees the webhook port', async () => {
    server = await startWebhookServer({ ctx: app.ctx, port: 0, secret: 's' });
    expect(server.metricsUrl).toBeUndefined();
    const taken = await startWebhookMetricsServer({ metrics: createWebhookMetrics(), port: 0 });
    try {
      await expect(startWebhookServer({ ctx: app.ctx, port: 0, secret: 's', metrics: { port: taken.port } })).rejects.toMatchObject({
        code: 'config',
        message: expect.stringContaining(`cannot listen for metrics on 127.0.0.1:${taken.port}`),
      });
    } finally {
      await taken.close();
    }
  });
});
