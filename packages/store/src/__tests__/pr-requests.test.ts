import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { applyEvent, consumePrRequest, createRun, getPrRequest, insertPrRequest, openStore, pendingPrRequests, type OpenDatabase } from '../index.js';

afterAll(() => cleanupTempDirs());

const TO_PUSHED = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'feature', head_sha: 'a'.repeat(40) },
] as const;

function request(runId: string, n: number) {
  return {
    run_id: runId,
    request_file: `/data/reports/${runId}_pr_open_request_${n}.json`,
    title: `t${n}`,
    body: 'b',
    base: 'main',
    head: 'feature',
    head_owner: 'me',
    head_sha: String(n).repeat(40).slice(0, 40),
    draft: 0,
    confirm_token_sha256: 'f'.repeat(64),
    created_at: '2026-11-23T10:00:00.000Z',
    expires_at: '2026-11-23T10:30:00.000Z',
    consumed_at: null,
  };
}

describe.each(dialectsUnderTest())('PR request queries on %s', (kind) => {
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

  async function run(runId: string, repo: string, pushed: boolean): Promise<void> {
    await createRun(store.db, { runId, owner: 'octo', repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/ws/${runId}` });
    if (pushed) for (const event of TO_PUSHED) await applyEvent(store.db, runId, { event: { ...event } });
  }

  it('pendingPrRequests lists only the newest unconsumed request of PUSHED runs, newest first, with the repository', async () => {
    await run('run_a', 'alpha', true);
    await run('run_b', 'beta', true);
    await run('run_c', 'gamma', false);
    await run('run_d', 'delta', true);
    await insertPrRequest(store.db, request('run_a', 1));
    const replacedB = await insertPrRequest(store.db, request('run_b', 2));
    await insertPrRequest(store.db, request('run_c', 3));
    const used = await insertPrRequest(store.db, request('run_d', 4));
    await consumePrRequest(store.db, used.id, '2026-11-23T10:01:00.000Z');
    const newestB = await insertPrRequest(store.db, request('run_b', 5));
    const pending = await pendingPrRequests(store.db, { limit: 10 });
    expect(pending.map((p) => [p.run_id, p.id, p.owner, p.repo])).toEqual([
      ['run_b', newestB.id, 'octo', 'beta'],
      ['run_a', 1, 'octo', 'alpha'],
    ]);
    expect(pending.map((p) => p.id)).not.toContain(replacedB.id);
    expect(await pendingPrRequests(store.db, { limit: 1 })).toHaveLength(1);
  });

  it('getPrRequest reads a request by id; an unknown id is undefined', async () => {
    await run('run_a', 'alpha', true);
    const row = await insertPrRequest(store.db, request('run_a', 1));
    expect(await getPrRequest(store.db, row.id)).toMatchObject({ id: row.id, run_id: 'run_a', draft: 0, head: 'feature' });
    expect(await getPrRequest(store.db, row.id + 100)).toBeUndefined();
  });
});
