import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDelivery, listDeliveries } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { cleanupWebhookDeliveries } from '../cleanup-webhook-deliveries.js';
import { testApp, type TestApp } from '../../__tests__/github-fixtures.js';

let tdb: TestDatabase;
let app: TestApp;
afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location);
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

describe('cleanupWebhookDeliveries', () => {
  it('cleanupWebhookDeliveries deletes rows older than keep_days and keeps newer ones', async () => {
    const d = (id: string, receivedAt: string) => claimDelivery(app.ctx.db, { source: 'github', deliveryId: id, eventType: 'ping', payloadSha256: 'x', receivedAt });
    await d('old', '2026-10-01T00:00:00.000Z');
    await d('recent', '2026-11-20T00:00:00.000Z');
    expect(await cleanupWebhookDeliveries(app.ctx, { keepDays: 30 })).toEqual({ ok: true, source: 'github', keep_days: 30, deleted: 1 });
    expect((await listDeliveries(app.ctx.db, { limit: 5 })).map((r) => r.delivery_id)).toEqual(['recent']);
    await expect(cleanupWebhookDeliveries(app.ctx, { keepDays: 0 })).rejects.toMatchObject({ code: 'usage' });
  });
});
