import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir } from '@agentpr/testing';
import { createRun, dashboardRunPage, inTransaction, listRuns, openReadOnlyStore, openStore, StoreError, type NewRun } from '../index.js';
import { migrations } from '../migrations/index.js';

afterAll(() => cleanupTempDirs());

const run = (runId: string): NewRun => ({ runId, owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w' });

async function refusal(p: Promise<unknown>): Promise<StoreError> {
  const error = await p.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).message).not.toMatch(/\n/);
  return error as StoreError;
}

describe.each(dialectsUnderTest())('openReadOnlyStore on %s', (kind) => {
  it('reads what the writer wrote and refuses every write, changing nothing', async () => {
    const tdb = await freshDatabase(kind);
    const writer = await openStore(tdb.location);
    await createRun(writer.db, run('run_1'));
    if (kind === 'sqlite') await writer.close();
    const reader = await openReadOnlyStore(tdb.location);
    try {
      expect(reader.dialect).toBe(kind);
      expect((await dashboardRunPage(reader.db, { limit: 10 })).rows.map((r) => r.run_id)).toEqual(['run_1']);
      const write = await reader.db
        .updateTable('run_states')
        .set({ current_state: 'DONE' })
        .execute()
        .then(() => undefined, (e: unknown) => e as { code?: string; message: string });
      expect(write?.code).toBe(kind === 'sqlite' ? 'SQLITE_READONLY' : '25006');
      await expect(createRun(reader.db, run('run_2'))).rejects.toThrow(/read-?only/i);
      await expect(sql`create table intruder (x integer)`.execute(reader.db)).rejects.toThrow(/read-?only/i);
      expect((await listRuns(reader.db, { limit: 10 })).map((r) => [r.run_id, r.current_state])).toEqual([['run_1', 'QUEUED']]);
    } finally {
      await reader.close();
      if (kind === 'postgres') await writer.close();
      await tdb.drop();
    }
  });

  it('refuses a schema with pending migrations and one written by a newer build, in one line, changing nothing', async () => {
    const tdb = await freshDatabase(kind);
    const store = await openStore(tdb.location, { migrate: false });
    try {
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations(store.dialect) } });
      expect((await migrator.migrateTo('20261206T000000-citizenship')).error).toBeUndefined();
      const pending = await refusal(openReadOnlyStore(tdb.location));
      expect(pending.code).toBe('database_error');
      expect(pending.message).toMatch(/needs migrating before it can be read/);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await (await openReadOnlyStore(tdb.location)).close();
      await sql`insert into kysely_migration (name, timestamp) values ('20991231T000000-future', '2099-12-31T00:00:00.000Z')`.execute(store.db);
      const newer = await refusal(openReadOnlyStore(tdb.location));
      expect(newer.code).toBe('schema_too_new');
      expect(newer.message).toMatch(/newer agentpr \(schema 20991231T000000-future/);
      const names = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
      expect(names.rows.at(-1)?.name).toBe('20991231T000000-future');
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});

describe('openReadOnlyStore on a SQLite file', () => {
  it('refuses a missing file without creating it, and a file that is not a database', async () => {
    const dir = tempDir('agentpr-ro-');
    const missing = await refusal(openReadOnlyStore({ kind: 'sqlite', path: join(dir, 'nothing.db') }));
    expect(missing.code).toBe('database_error');
    expect(missing.message).toMatch(/does not exist/);
    await expect(openReadOnlyStore({ kind: 'sqlite', path: join(dir, 'nothing.db') })).rejects.toThrow(/does not exist/);
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'these are notes, not a database\n'.repeat(200));
    const notDb = await refusal(openReadOnlyStore({ kind: 'sqlite', path: text }));
    expect(notDb.code).toBe('not_a_database');
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect((await refusal(openReadOnlyStore({ kind: 'sqlite', path: empty }))).message).toMatch(/needs migrating/);
  });

  it('a reader holding a snapshot does not block the writer (WAL), and sees the write once its read ends', async () => {
    const tdb = await freshDatabase('sqlite');
    const writer = await openStore(tdb.location);
    await createRun(writer.db, run('run_1'));
    const reader = await openReadOnlyStore(tdb.location);
    try {
      await inTransaction(reader.db, async (trx) => {
        expect(await listRuns(trx, { limit: 10 })).toHaveLength(1);
        // The writer commits while the reader's transaction is open…
        await createRun(writer.db, run('run_2'));
        // …and the reader still sees its snapshot.
        expect(await listRuns(trx, { limit: 10 })).toHaveLength(1);
      });
      expect((await listRuns(reader.db, { limit: 10 })).map((r) => r.run_id).sort()).toEqual(['run_1', 'run_2']);
    } finally {
      await reader.close();
      await writer.close();
      await tdb.drop();
    }
  });
});
