import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { createRun, getRun, openStore, setLinkedIssue, type Clock, type OpenDatabase } from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
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

describe.each(dialectsUnderTest())('linked issue on %s', (kind) => {
  it('setLinkedIssue ties a run to an issue, replaces it, clears it, and says which it replaced', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, { runId: 'run_1', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w/run_1' }, at(0));
      expect((await getRun(store.db, 'run_1'))?.run.linked_issue).toBeNull();
      expect(await setLinkedIssue(store.db, 'run_1', 12, at(1000))).toEqual({ updated: true, previous: null });
      const linked = await getRun(store.db, 'run_1');
      expect(linked?.run).toMatchObject({ linked_issue: 12, updated_at: '2026-12-01T10:00:01.000Z' });
      expect(await setLinkedIssue(store.db, 'run_1', 40, at(2000))).toEqual({ updated: true, previous: 12 });
      expect(await setLinkedIssue(store.db, 'run_1', null, at(3000))).toEqual({ updated: true, previous: 40 });
      expect((await getRun(store.db, 'run_1'))?.run.linked_issue).toBeNull();
    });
  });

  it('setLinkedIssue on an unknown run changes nothing', async () => {
    await withStore(kind, async (store) => {
      expect(await setLinkedIssue(store.db, 'run_missing', 3, at(0))).toEqual({ updated: false, previous: null });
    });
  });
});
