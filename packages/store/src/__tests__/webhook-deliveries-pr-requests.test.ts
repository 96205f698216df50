import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { RUN_STATES, type RunState } from '@agentpr/state-machine';
import {
  applyEvents,
  claimDelivery,
  findDeliveryRun,
  getDeliveryRun,
  openSqliteDeliveryWriter,
  recordDeliveryEvent,
  type DeliveryEvent,
  type DeliveryExecutor,
  consumePrRequest,
  createRun,
  deleteDeliveriesBefore,
  finishDelivery,
  getDelivery,
  getPrRequestByFile,
  inTransaction,
  insertPrRequest,
  insertSettledDelivery,
  lookupDelivery,
  latestPrRequest,
  listDeliveries,
  openStore,
  type OpenDatabase,
} from '../index.js';

const HEAD = 'a'.repeat(40);
const GITHUB_EVENTS: Array<{ name: string; event: DeliveryEvent; storeOnly?: { reason: string } }> = [
  { name: 'check failure', event: { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: HEAD, actor: 'webhook' } },
  { name: 'check success', event: { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: HEAD, actor: 'webhook' } },
  { name: 'check success, other head', event: { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: 'b'.repeat(40), actor: 'webhook' } },
  { name: 'check without head', event: { type: 'github.check.completed', conclusion: 'neutral', pr_number: 7, head_sha: null, actor: 'webhook' } },
  { name: 'changes requested', event: { type: 'github.review.submitted', state: 'changes_requested', pr_number: 7, actor: 'webhook' } },
  { name: 'approved', event: { type: 'github.review.submitted', state: 'approved', pr_number: 7, actor: 'webhook' } },
  { name: 'merged', event: { type: 'github.pull_request.closed', pr_number: 7, merged: true, actor: 'webhook' } },
  { name: 'closed', event: { type: 'github.pull_request.closed', pr_number: 7, merged: false, actor: 'webhook' } },
  { name: 'link', event: { type: 'command.pr.linked', pr_number: 7, actor: 'webhook' } },
  { name: 'store only', event: { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: HEAD, actor: 'webhook' }, storeOnly: { reason: 'awaiting_rollup' } },
];

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

  it('the exclusive SQLite writer looks an id up and stores it once, settled; the unique key refuses a second row', async () => {
    if (tdb.location.kind !== 'sqlite') return;
    const writer = openSqliteDeliveryWriter(tdb.location.path, { checkpoints: 'inline' });
    try {
      expect(writer.exclusive).toBe(true);
      await writer.transaction(async (x) => {
        expect(await lookupDelivery(x, 'github', 's1')).toBeUndefined();
        await insertSettledDelivery(x, delivery('s1', 'cc'), 'ignored', { processed: 0, ignored: 1 });
        expect(await lookupDelivery(x, 'github', 's1')).toMatchObject({ payload_sha256: 'cc', outcome: 'ignored' });
      });
      expect(await getDelivery(store.db, 'github', 's1')).toMatchObject({ outcome: 'ignored', detail_json: '{"processed":0,"ignored":1}' });
      await expect(writer.transaction((x) => insertSettledDelivery(x, delivery('s1', 'dd'), 'ignored', {}))).rejects.toThrow(/UNIQUE/);
      expect((await getDelivery(store.db, 'github', 's1'))?.payload_sha256).toBe('cc');
    } finally {
      writer.close();
    }
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

  it('consumePrRequest refuses a request superseded by a newer one of the same run (issue 13)', async () => {
    await createRun(store.db, { runId: 'run_q', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/ws' });
    await createRun(store.db, { runId: 'run_other', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/ws' });
    const request = (runId: string, file: string) =>
      insertPrRequest(store.db, {
        run_id: runId, request_file: file, title: 't', body: 'b', base: 'main', head: 'feature', head_owner: 'me', head_sha: 'a'.repeat(40), draft: 0,
        confirm_token_sha256: 'f'.repeat(64), created_at: '2026-11-23T10:00:00.000Z', expires_at: '2026-11-23T10:30:00.000Z', consumed_at: null,
      });
    const older = await request('run_q', '/r/older.json');
    const newer = await request('run_q', '/r/newer.json');
    await request('run_other', '/r/other.json');
    expect(await consumePrRequest(store.db, older.id, '2026-11-23T10:01:00.000Z')).toBe(false);
    expect(await consumePrRequest(store.db, newer.id, '2026-11-23T10:01:00.000Z')).toBe(true);
  });

  it.each(['kysely', 'sqlite writer'] as const)('recordDeliveryEvent through %s writes exactly what applyEvents writes, for every state and event', async (via) => {
    if (via === 'sqlite writer' && kind !== 'sqlite') return;
    const writer = via === 'sqlite writer' && tdb.location.kind === 'sqlite' ? openSqliteDeliveryWriter(tdb.location.path) : undefined;
    const seed = async (runId: string, state: RunState) => {
      await createRun(store.db, { runId, owner: 'Mem0AI', repo: 'Mem0', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/ws' }, () => new Date('2026-11-23T10:00:00.000Z'));
      await store.db.insertInto('artifacts').values({ run_id: runId, artifact_type: 'branch', uri: 'b', metadata_json: JSON.stringify({ sha: HEAD }), created_at: 'x' }).execute();
      await store.db.updateTable('runs').set({ pr_number: 7 }).where('run_id', '=', runId).execute();
      await store.db.updateTable('run_states').set({ current_state: state, last_error: 'earlier', last_active_state: 'CI_WAIT' }).where('run_id', '=', runId).execute();
    };
    const rows = async (runId: string) => {
      const state = await store.db.selectFrom('run_states').select(['current_state', 'last_error', 'last_active_state', 'held_facts_json', 'updated_at']).where('run_id', '=', runId).executeTakeFirst();
      const events = await store.db.selectFrom('events').select(['event_type', 'idempotency_key', 'payload_json', 'applied', 'reason', 'actor', 'created_at']).where('run_id', '=', runId).where('event_type', '!=', 'command.run.create').orderBy('event_id').execute();
      const run = await store.db.selectFrom('runs').select(['updated_at', 'pr_number']).where('run_id', '=', runId).executeTakeFirst();
      return { state, events, run: { ...run, pr_number: Number(run?.pr_number) } };
    };
    const now = new Date('2026-11-23T11:00:00.000Z');
    let n = 0;
    for (const state of RUN_STATES) {
      for (const variant of GITHUB_EVENTS) {
        n++;
        await seed(`a${n}`, state);
        await seed(`b${n}`, state);
        const input = { event: variant.event, idempotencyKey: 'k1', optional: true, ...(variant.storeOnly ? { storeOnly: variant.storeOnly } : {}) };
        const [viaStore] = await applyEvents(store.db, `a${n}`, [input, input], () => now);
        const work = async (x: Parameters<typeof getDeliveryRun>[0]) => {
          const view = await getDeliveryRun(x, `b${n}`);
          const first = await recordDeliveryEvent(x, view!, input, now.toISOString());
          await recordDeliveryEvent(x, view!, input, now.toISOString());
          return first;
        };
        const viaWebhook = writer ? await writer.transaction((x: DeliveryExecutor) => work(x)) : await inTransaction(store.db, (trx) => work(trx));
        const strip = ({ run_id: _r, event_id: _e, ...rest }: Record<string, unknown>) => JSON.parse(JSON.stringify(rest).replace(/run [ab]\d+/g, 'run X'));
        expect([state, variant.name, strip(viaWebhook as any)]).toEqual([state, variant.name, strip(viaStore as any)]);
        expect([state, variant.name, await rows(`b${n}`)]).toEqual([state, variant.name, await rows(`a${n}`)]);
      }
    }
    writer?.close();
  });

  it('findDeliveryRun matches owner and repo case-insensitively and reads state and pushed head in one go', async () => {
    await createRun(store.db, { runId: 'run_w', owner: 'Mem0AI', repo: 'Mem0', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/ws' });
    await store.db.updateTable('runs').set({ pr_number: 5 }).where('run_id', '=', 'run_w').execute();
    expect(await findDeliveryRun(store.db, { owner: 'mem0ai', repo: 'MEM0', prNumber: 5 })).toEqual({
      run_id: 'run_w', owner: 'Mem0AI', repo: 'Mem0', pr_number: 5, pushedHead: null,
      snapshot: { state: 'QUEUED', lastError: null, lastActiveState: null, heldFacts: null },
    });
    await store.db.insertInto('artifacts').values({ run_id: 'run_w', artifact_type: 'branch', uri: 'b', metadata_json: JSON.stringify({ sha: 'ABC1234' }), created_at: 'x' }).execute();
    expect((await findDeliveryRun(store.db, { owner: 'mem0ai', repo: 'mem0', prNumber: 5 }))?.pushedHead).toBe('abc1234');
    expect(await findDeliveryRun(store.db, { owner: 'mem0ai', repo: 'mem0', prNumber: 6 })).toBeUndefined();
  });
});
