import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDelivery, openSqliteDeliveryWriter, type SqliteDeliveryWriter } from '@agentpr/store';
import { cleanupTempDirs, tempDir, webhookExample } from '@agentpr/testing';
import { createDeliveryProcessor, type VerifiedDelivery } from './delivery-processor.js';
import { runInCiWait, testApp, type TestApp } from './__tests__/fixtures.js';

const SHA = 'a'.repeat(40);
const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

function body(suite: number): Uint8Array {
  const payload = webhookExample('check_run', 'completed', (p) => p.check_run.conclusion === 'failure');
  payload.repository.name = 'widgets';
  payload.repository.owner.login = 'acme';
  payload.check_run.head_sha = SHA;
  payload.check_run.check_suite.id = suite;
  payload.check_run.pull_requests[0].number = 7;
  return new Uint8Array(Buffer.from(JSON.stringify(payload)));
}

describe('createDeliveryProcessor: the payload fingerprint', () => {
  let app: TestApp;
  let writer: SqliteDeliveryWriter;
  let process: (d: VerifiedDelivery) => ReturnType<ReturnType<typeof createDeliveryProcessor>>;

  beforeEach(async () => {
    const path = join(tempDir('agentpr-processor-'), 'agentpr.db');
    app = await testApp({ kind: 'sqlite', path });
    await runInCiWait(app.ctx, { runId: 'run_fp', owner: 'Acme', repo: 'Widgets', prNumber: 7, sha: SHA });
    writer = openSqliteDeliveryWriter(path, { checkpoints: 'inline' });
    process = createDeliveryProcessor(app.ctx, writer);
  });
  afterEach(async () => {
    writer.close();
    await app.close();
  });
  afterAll(() => cleanupTempDirs());

  it('with one secret stores the verified HMAC, not a second hash of the body; the same delivery again is a duplicate', async () => {
    const b = body(1);
    const first = await process({ deliveryId: 'd-1', eventName: 'check_run', body: b, hmacs: [hex('one')] });
    expect(first).toMatchObject({ status: 200, outcome: 'processed' });
    expect((await getDelivery(app.store.db, 'github', 'd-1'))?.payload_sha256).toBe(`hmac-sha256:${hex('one')}`);
    const again = await process({ deliveryId: 'd-1', eventName: 'check_run', body: b, hmacs: [hex('one')] });
    expect(again).toMatchObject({ status: 200, outcome: 'duplicate_delivery' });
  });

  it('with two secrets (a rotation) stores the SHA-256, and still knows a delivery stored under the old secret alone', async () => {
    const b = body(2);
    await process({ deliveryId: 'd-old', eventName: 'check_run', body: b, hmacs: [hex('old')] });
    const rotated = await process({ deliveryId: 'd-old', eventName: 'check_run', body: b, hmacs: [hex('new'), hex('old')] });
    expect(rotated).toMatchObject({ status: 200, outcome: 'duplicate_delivery' });
    await process({ deliveryId: 'd-two', eventName: 'check_run', body: b, hmacs: [hex('new'), hex('old')] });
    const sha256 = createHash('sha256').update(b).digest('hex');
    expect((await getDelivery(app.store.db, 'github', 'd-two'))?.payload_sha256).toBe(sha256);
    // After the rotation (one secret again), the SHA-256 stored during it is checked against the body itself.
    const after = await process({ deliveryId: 'd-two', eventName: 'check_run', body: b, hmacs: [hex('new')] });
    expect(after).toMatchObject({ status: 200, outcome: 'duplicate_delivery' });
  });

  it('a delivery id reused for another payload is a conflict under either fingerprint', async () => {
    await process({ deliveryId: 'd-c', eventName: 'check_run', body: body(3), hmacs: [hex('c1')] });
    const other = await process({ deliveryId: 'd-c', eventName: 'check_run', body: body(4), hmacs: [hex('c2')] });
    expect(other).toMatchObject({ status: 409, outcome: 'delivery_conflict' });
    await process({ deliveryId: 'd-s', eventName: 'check_run', body: body(5) });
    const otherSha = await process({ deliveryId: 'd-s', eventName: 'check_run', body: body(6), hmacs: [hex('s2')] });
    expect(otherSha).toMatchObject({ status: 409, outcome: 'delivery_conflict' });
  });
});
