import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { createRun, openStore, recordAttempt, runsByLatestAttempt } from '../index.js';

afterAll(() => cleanupTempDirs());

describe.each(dialectsUnderTest())('runsByLatestAttempt on %s', (kind) => {
  it('lists runs with attempts, the most recently attempted first, up to the limit', async () => {
    const tdb = await freshDatabase(kind);
    const store = await openStore(tdb.location);
    try {
      for (const runId of ['run_a', 'run_b', 'run_c', 'run_idle']) {
        await createRun(store.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w' });
      }
      expect(await runsByLatestAttempt(store.db, { limit: 5 })).toEqual([]);
      for (const runId of ['run_a', 'run_b', 'run_c', 'run_a']) {
        await recordAttempt(store.db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 10 });
      }
      expect(await runsByLatestAttempt(store.db, { limit: 5 })).toEqual(['run_a', 'run_c', 'run_b']);
      expect(await runsByLatestAttempt(store.db, { limit: 2 })).toEqual(['run_a', 'run_c']);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
