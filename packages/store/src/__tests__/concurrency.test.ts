import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveEvent, type RunSnapshot, type RunState } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { applyEvent, createRun, getRun, listAuditRecords, listEvents, openStore } from '../index.js';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('../../test/fixtures/worker.mjs', import.meta.url));
afterAll(() => cleanupTempDirs());

function where(tdb: TestDatabase): string {
  return tdb.location.kind === 'sqlite' ? tdb.location.path : tdb.location.url;
}

async function prepared(kind: 'sqlite' | 'postgres') {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  await createRun(store.db, { runId: 'run_c', owner: 'o', repo: 'r', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w' });
  await applyEvent(store.db, 'run_c', { event: { type: 'command.start.discovery' } });
  return { tdb, store };
}

/** Replays the stored applied events and checks that the state row equals the fold: no lost update. */
async function expectConsistent(store: Awaited<ReturnType<typeof openStore>>, runId: string) {
  const events = (await listEvents(store.db, runId, { limit: 100_000 })).reverse();
  let snap: RunSnapshot = { state: 'QUEUED', lastError: null, lastActiveState: null };
  for (const e of events) {
    if (e.event_type === 'command.run.create' || !e.applied) continue;
    const r = resolveEvent(snap, { type: e.event_type, ...e.payload } as never);
    expect(r.outcome, `event ${e.event_id} ${e.event_type} from ${snap.state}`).toBe('applied');
    if (r.outcome === 'applied') snap = r.next;
  }
  const row = await getRun(store.db, runId);
  expect(row?.state.current_state).toBe(snap.state as RunState);
  expect(row?.state.last_active_state).toBe(snap.lastActiveState);
  return events;
}

describe.each(dialectsUnderTest())('concurrency on %s', (kind) => {
  it('four processes applying events to one run lose no update and never leak a BUSY error', async () => {
    const { tdb, store } = await prepared(kind);
    try {
      const outputs = await Promise.all(
        ['a', 'bb', 'ccc', 'dddd'].map((name) => run(process.execPath, [worker, 'events', kind, where(tdb), 'run_c', '60', name], { timeout: 60_000 })),
      );
      const summaries = outputs.map((o) => JSON.parse(o.stdout.trim().split('\n').at(-1)!));
      for (const s of summaries) expect(s.errors).toEqual([]);
      const applied = summaries.reduce((n, s) => n + s.applied, 0);
      const events = await expectConsistent(store, 'run_c');
      // Every applied command is stored exactly once; refused ones are not stored.
      expect(events.filter((e) => e.event_type === 'command.pause' || e.event_type === 'command.resume')).toHaveLength(applied);
      expect(summaries.reduce((n, s) => n + s.applied + s.refused, 0)).toBe(240);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });

  it('four processes taking the same lease never hold it at the same time', async () => {
    const { tdb, store } = await prepared(kind);
    try {
      const outputs = await Promise.all(
        ['w1', 'w2', 'w3', 'w4'].map((name) => run(process.execPath, [worker, 'lease', kind, where(tdb), 'run_c', '40', name], { timeout: 60_000 })),
      );
      const summaries = outputs.map((o) => JSON.parse(o.stdout.trim().split('\n').at(-1)!));
      for (const s of summaries) expect(s.errors).toEqual([]);
      const records = (await listAuditRecords(store.db, { limit: 10_000, runId: 'run_c' })).reverse();
      expect(records.length).toBe(2 * summaries.reduce((n, s) => n + s.leases, 0));
      expect(records.length).toBeGreaterThan(0);
      for (let i = 0; i < records.length; i += 2) {
        expect(records[i]).toMatchObject({ kind: 'lease-enter' });
        expect(records[i + 1]).toMatchObject({ kind: 'lease-exit', actor: records[i]!.actor });
      }
    } finally {
      await store.close();
      await tdb.drop();
    }
  });

  it('a process killed with SIGKILL mid-transaction leaves a consistent database', async () => {
    const { tdb, store } = await prepared(kind);
    try {
      for (let round = 0; round < 3; round++) {
        const child = spawn(process.execPath, [worker, 'crash', kind, where(tdb), 'run_c', '0', `k${round}`], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
        await new Promise((r) => setTimeout(r, 150 + round * 70));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      }
      if (kind === 'sqlite') {
        const { sql } = await import('kysely');
        const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(store.db);
        expect(check.rows[0]?.integrity_check).toBe('ok');
      }
      const events = await expectConsistent(store, 'run_c');
      const pauses = events.filter((e) => e.idempotency_key.startsWith('p-')).map((e) => e.idempotency_key.slice(2));
      const resumes = events.filter((e) => e.idempotency_key.startsWith('r-')).map((e) => e.idempotency_key.slice(2));
      expect(pauses.length).toBeGreaterThan(0);
      expect(resumes).toEqual(pauses);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});
