import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { applyEvent, createRun, hasNewerPrRequest, insertPrRequest, newestPrRequestId, openStore, prRequestsAfter, runsChangedSince, type Clock, type OpenDatabase } from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number): Clock => () => new Date(T0 + ms);

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

function request(runId: string) {
  return {
    run_id: runId, request_file: `/r/${runId}.json`, title: 't', body: 'b', base: 'main', head: 'feat', head_owner: 'me', head_sha: 'a'.repeat(40),
    draft: 0, confirm_token_sha256: 'f'.repeat(64), created_at: new Date(T0).toISOString(), expires_at: new Date(T0 + 3_600_000).toISOString(),
  };
}

describe.each(dialectsUnderTest())('notification queries on %s', (kind) => {
  it('runs that changed into a notified state after the cursor, oldest first', async () => {
    await withStore(kind, async (store) => {
      for (const [runId, ms] of [['run_a', 0], ['run_b', 10]] as const) {
        await createRun(store.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}` }, at(ms));
      }
      await applyEvent(store.db, 'run_b', { event: { type: 'command.retry', target_state: 'FAILED_TERMINAL', actor: 'manager', error: 'manager:x' } }, at(20));
      const all = await runsChangedSince(store.db, { at: '', run_id: '' }, ['NEEDS_HUMAN_REVIEW', 'FAILED_TERMINAL'], 10);
      expect(all.map((r) => [r.run_id, r.current_state, r.last_error])).toEqual([['run_b', 'FAILED_TERMINAL', 'manager:x']]);
      expect(await runsChangedSince(store.db, { at: all[0]!.updated_at, run_id: 'run_b' }, ['NEEDS_HUMAN_REVIEW', 'FAILED_TERMINAL'], 10)).toEqual([]);
    });
  });

  it('PR requests after an id, the newest id, and whether a newer one supersedes', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, { runId: 'run_p', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w/run_p' }, at(0));
      expect(await newestPrRequestId(store.db)).toBe(0);
      const first = await insertPrRequest(store.db, request('run_p'));
      const second = await insertPrRequest(store.db, request('run_p'));
      expect(await newestPrRequestId(store.db)).toBe(Number(second.id));
      const after = await prRequestsAfter(store.db, 0, 10);
      expect(after.map((r) => [r.id, r.owner, r.current_state])).toEqual([[Number(first.id), 'o', 'QUEUED'], [Number(second.id), 'o', 'QUEUED']]);
      expect(await hasNewerPrRequest(store.db, 'run_p', Number(first.id))).toBe(true);
      expect(await hasNewerPrRequest(store.db, 'run_p', Number(second.id))).toBe(false);
    });
  });
});
