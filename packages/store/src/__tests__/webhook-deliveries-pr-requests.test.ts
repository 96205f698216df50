import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import {
  claimDelivery,
  consumePrRequest,
  createRun,
  deleteDeliveriesBefore,
  finishDelivery,
  getDelivery,
  getPrRequestByFile,
  inTransaction,
  insertPrRequest,
  latestPrRequest,
  listDeliveries,
  openStore,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const delivery = (id: string, sha = 'aa', receivedAt = '2026-11-23T10:00:00.000Z') => ({ source: 'github', deliveryId: id, eventType: 'check_run', payloadSha256: sha, receivedAt });

describe.each(dialectsUnderTest())('webhook deliveries and PR requests on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;

  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('claimDelivery claims a new id once and reports the stored hash on a second claim', async () => {
    const first = await claimDelivery(store.db, delivery('d1', 'aa'));
    expect(first.claimed).toBe(true);
    const second = await claimDelivery(store.db, delivery('d1', 'bb'));
    expect(second).toMatchObject({ claimed: false, existing: { payload_sha256: 'aa', outcome: null } });
  });

  it('a claim rolled back with its transaction leaves the id free for the retry', async () => {
    await expect(
      inTransaction(store.db, async (trx) => {
        await claimDelivery(trx, delivery('d2'));
        throw new Error('processing failed');
      }),
    ).rejects.toThrow('processing failed');
    expect(await getDelivery(store.db, 'github', 'd2')).toBeUndefined();
    expect((await claimDelivery(store.db, delivery('d2'))).claimed).toBe(true);
  });

  it('finishDelivery records the outcome and detail; listDeliveries filters by outcome', async () => {
    const claim = await claimDelivery(store.db, delivery('d3'));
    if (!claim.claimed) throw new Error('not claimed');
    await finishDelivery(store.db, claim.id, 'ignored', { reason: 'no run found for pr_number' });
    await claimDelivery(store.db, delivery('d4'));
    const ignored = await listDeliveries(store.db, { outcome: 'ignored', limit: 10 });
    expect(ignored.map((d) => [d.delivery_id, d.outcome, JSON.parse(d.detail_json ?? '{}').reason])).toEqual([['d3', 'ignored', 'no run found for pr_number']]);
  });

  it('deleteDeliveriesBefore deletes only older rows of the source', async () => {
    await claimDelivery(store.db, delivery('old', 'x', '2026-10-01T00:00:00.000Z'));
    await claimDelivery(store.db, delivery('new', 'x', '2026-11-20T00:00:00.000Z'));
    await claimDelivery(store.db, { ...delivery('other', 'x', '2026-10-01T00:00:00.000Z'), source: 'other' });
    expect(await deleteDeliveriesBefore(store.db, 'github', '2026-11-01T00:00:00.000Z')).toBe(1);
    expect((await listDeliveries(store.db, { limit: 10 })).map((d) => d.delivery_id)).toEqual(['new']);
  });

  it('consumePrRequest succeeds once; the second consumer gets false', async () => {
    await createRun(store.db, { runId: 'run_p', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/ws' });
    const row = await insertPrRequest(store.db, {
      run_id: 'run_p',
      request_file: '/data/reports/run_p_pr_open_request_1.json',
      title: 't',
      body: 'b',
      base: 'main',
      head: 'feature',
      head_owner: 'me',
      head_sha: 'a'.repeat(40),
      draft: 1,
      confirm_token_sha256: 'f'.repeat(64),
      created_at: '2026-11-23T10:00:00.000Z',
      expires_at: '2026-11-23T10:30:00.000Z',
      consumed_at: null,
    });
    expect(row).toMatchObject({ draft: 1, consumed_at: null });
    expect((await getPrRequestByFile(store.db, 'run_p', row.request_file))?.id).toBe(row.id);
    const results = await Promise.all([consumePrRequest(store.db, row.id, '2026-11-23T10:01:00.000Z'), consumePrRequest(store.db, row.id, '2026-11-23T10:01:01.000Z')]);
    expect(results.sort()).toEqual([false, true]);
    expect((await latestPrRequest(store.db, 'run_p'))?.consumed_at).toBe('2026-11-23T10:01:00.000Z');
  });
});
