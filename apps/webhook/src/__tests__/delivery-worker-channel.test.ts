import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getDelivery } from '@agentpr/store';
import { cleanupTempDirs, tempDir, webhookExample } from '@agentpr/testing';
import { startDeliveryWorker } from '../delivery-channel.js';
import { runInCiWait, testApp } from './fixtures.js';

// dist/delivery-worker.js is built once by build-bin.global-setup.ts.
const script = new URL('../../dist/delivery-worker.js', import.meta.url);
const SHA = 'b'.repeat(40);

afterAll(() => cleanupTempDirs());

function delivery(n: number, padding = 0) {
  const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
  payload.repository.name = 'widgets';
  payload.repository.owner.login = 'acme';
  payload.check_run.head_sha = SHA;
  payload.check_run.check_suite.id = 500 + n;
  payload.check_run.pull_requests[0].number = 9;
  payload.check_run.output.text = 'x'.repeat(padding);
  // A view of a larger buffer, as a pooled read may be: the channel copies it before transferring it.
  const body = Buffer.from(` ${JSON.stringify(payload)}`).subarray(1);
  const hmac = createHmac('sha256', 'secret').update(body).digest('hex');
  return { deliveryId: `ring-${n}`, eventName: 'check_run', body, hmacs: [hmac] };
}

describe('the delivery worker channel', () => {
  it('processes concurrent deliveries, large bodies among them, each answered after its commit', async () => {
    const path = join(tempDir('agentpr-ring-'), 'agentpr.db');
    const app = await testApp({ kind: 'sqlite', path });
    await runInCiWait(app.ctx, { runId: 'run_ring', owner: 'Acme', repo: 'Widgets', prNumber: 9, sha: SHA });
    const channel = await startDeliveryWorker({ script, sqlitePath: path, log: app.log });
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => channel.submit(delivery(n, n % 4 === 0 ? 600_000 : 0))));
      expect(answers[0]).toMatchObject({ status: 200, outcome: 'processed', processed: 1 });
      expect(answers.slice(1).every((a) => a.status === 200)).toBe(true);
      for (let n = 0; n < 40; n++) expect((await getDelivery(app.store.db, 'github', `ring-${n}`))?.outcome).toBeTruthy();
      const again = await channel.submit(delivery(3));
      expect(again).toMatchObject({ status: 200, outcome: 'duplicate_delivery' });
      const invalid = await channel.submit({ ...delivery(99), body: Buffer.from('{not json') });
      expect(invalid).toMatchObject({ status: 400, outcome: 'invalid_json' });
      expect(JSON.parse(answers[0]!.bodyText)).toMatchObject({ ok: true, delivery: 'ring-0', processed: 1 });
    } finally {
      await channel.close();
      await app.close();
    }
  });
});
