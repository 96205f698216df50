import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { insertRepoPolicyCheck, latestRepoPolicyCheck, openStore, type Clock, type OpenDatabase } from '../index.js';

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

describe.each(dialectsUnderTest())('repo policy checks on %s', (kind) => {
  it('latestRepoPolicyCheck returns the newest classification of a repository, matching owner and name case-insensitively', async () => {
    await withStore(kind, async (store) => {
      expect(await latestRepoPolicyCheck(store.db, 'acme', 'widgets')).toBeUndefined();
      const evidence = [{ path: 'CONTRIBUTING.md', quote: 'We do not accept AI-generated code.', rule: 'ai_not_accepted' }];
      const documents = [{ path: 'CONTRIBUTING.md', kind: 'contributing', sha: 's1', bytes: 35 }];
      await insertRepoPolicyCheck(store.db, { owner: 'Acme', repo: 'Widgets', stance: 'unknown', evidence: [], documents: [] }, at(0));
      const newest = await insertRepoPolicyCheck(store.db, { owner: 'Acme', repo: 'Widgets', stance: 'forbidden', evidence, documents }, at(60_000));
      await insertRepoPolicyCheck(store.db, { owner: 'acme', repo: 'gadgets', stance: 'allowed', evidence: [], documents: [] }, at(120_000));
      expect(await latestRepoPolicyCheck(store.db, 'ACME', 'widgets')).toEqual({
        id: newest,
        owner: 'Acme',
        repo: 'Widgets',
        stance: 'forbidden',
        evidence,
        documents,
        checkedAt: '2026-12-01T10:01:00.000Z',
      });
    });
  });

  it('latestRepoPolicyCheck breaks a tie on the check time by the row recorded last', async () => {
    await withStore(kind, async (store) => {
      await insertRepoPolicyCheck(store.db, { owner: 'o', repo: 'r', stance: 'unknown', evidence: [], documents: [] }, at(0));
      const last = await insertRepoPolicyCheck(store.db, { owner: 'o', repo: 'r', stance: 'allowed', evidence: [], documents: [] }, at(0));
      expect((await latestRepoPolicyCheck(store.db, 'o', 'r'))?.id).toBe(last);
    });
  });
});
