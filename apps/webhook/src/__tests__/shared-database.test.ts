import { afterAll, describe, expect, it } from 'vitest';
import { listDeliveries } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, sendWebhook, webhookExample } from '@agentpr/testing';
import { startWebhookServer } from '../webhook-server.js';
import { runInCiWait, testApp } from './fixtures.js';

const SECRET = 'shared-secret';
const SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
afterAll(() => cleanupTempDirs());

describe.each(dialectsUnderTest())('two webhook servers on one %s database', (kind) => {
  it('the same deliveries sent to both at once are each processed exactly once; the other answer is a duplicate', async () => {
    const tdb = await freshDatabase(kind);
    const a = await testApp(tdb.location, 'webhook');
    const b = await testApp(tdb.location, 'webhook');
    // 40 concurrent deliveries from one client: above the default per-client cap, which this test is not about.
    const servers = await Promise.all([a, b].map((app) => startWebhookServer({ ctx: app.ctx, port: 0, secret: SECRET, maxConcurrentPerClient: 64 })));
    try {
      await runInCiWait(a.ctx, { runId: 'run_shared', owner: 'Codertocat', repo: 'Hello-World', prNumber: 2, sha: SHA });
      const answers = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
          payload.check_run.check_suite.id = 5000 + i;
          const delivery = `shared-${i}`;
          const both = await Promise.all(servers.map((s) => sendWebhook(`${s.url}/github/webhook`, { event: 'check_run', payload, delivery, secret: SECRET })));
          return both.map((r) => (r.status === 200 && r.body.duplicate_delivery ? 'duplicate' : r.status === 200 && r.body.processed === 1 ? 'processed' : `other:${r.status}`)).sort();
        }),
      );
      for (const pair of answers) expect(pair).toEqual(['duplicate', 'processed']);
      expect(await listDeliveries(a.ctx.db, { limit: 100 })).toHaveLength(40);
      const events = await a.ctx.db.selectFrom('events').select('idempotency_key').where('run_id', '=', 'run_shared').where('actor', '=', 'webhook').execute();
      expect(events).toHaveLength(40);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      await a.close();
      await b.close();
      await tdb.drop();
    }
  });
});
