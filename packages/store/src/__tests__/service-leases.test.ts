import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { acquireServiceLease, getServiceLease, openStore, releaseServiceLease, renewServiceLease, StoreError, type OpenDatabase } from '../index.js';

const racer = fileURLToPath(new URL('./service-lease-racer.mjs', import.meta.url));
afterAll(() => cleanupTempDirs());

const T0 = new Date('2026-12-08T10:00:00.000Z');
const at = (ms: number) => () => new Date(T0.getTime() + ms);
const NAME = 'telegram-poller:0123456789abcdef';

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase, tdb: TestDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store, tdb);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

/** Starts `count` racer processes, waits until each has opened the store, releases them at once, and returns what each got. */
interface RaceResult {
  holder: string;
  acquired?: boolean;
  seen?: string;
  error?: string;
}

async function race(tdb: TestDatabase, count: number, ttlMs: number, prefix: string): Promise<RaceResult[]> {
  const where = tdb.location.kind === 'sqlite' ? tdb.location.path : tdb.location.url;
  const children = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, [racer, tdb.kind, where, NAME, `${prefix}${i}`, String(ttlMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    const ready = new Promise<void>((resolve, reject) => {
      lines.once('line', (line) => (line === 'ready' ? resolve() : reject(new Error(`racer said ${line}`))));
      child.once('exit', (code) => reject(new Error(`racer exited ${code} before it was ready`)));
    });
    const result = new Promise<string>((resolve, reject) => {
      let last = '';
      lines.on('line', (line) => (last = line));
      child.once('exit', (code) => (code === 0 ? resolve(last) : reject(new Error(`racer exited ${code}`))));
    });
    result.catch(() => {});
    return { child, ready, result };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin!.end('go\n');
  return Promise.all(children.map(async (c) => JSON.parse(await c.result) as RaceResult));
}

describe.each(dialectsUnderTest())('service leases on %s', (kind) => {
  it('acquireServiceLease takes a free lease, refuses a live one naming its holder, renews on re-entry and is stolen after expiry', async () => {
    await withStore(kind, async ({ db }) => {
      expect(await acquireServiceLease(db, NAME, 'hostA:1:bot:aa', 30_000, at(0))).toMatchObject({
        acquired: true,
        lease: { name: NAME, holder: 'hostA:1:bot:aa', expires_at: '2026-12-08T10:00:30.000Z' },
      });
      expect(await acquireServiceLease(db, NAME, 'hostB:2:bot:bb', 30_000, at(10_000))).toEqual({ acquired: false, holder: 'hostA:1:bot:aa', expiresAt: '2026-12-08T10:00:30.000Z' });
      expect(await acquireServiceLease(db, NAME, 'hostA:1:bot:aa', 30_000, at(20_000))).toMatchObject({ acquired: true, lease: { expires_at: '2026-12-08T10:00:50.000Z' } });
      expect(await acquireServiceLease(db, NAME, 'hostB:2:bot:bb', 30_000, at(50_000))).toMatchObject({ acquired: true, lease: { holder: 'hostB:2:bot:bb' } });
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: 'hostB:2:bot:bb', acquired_at: '2026-12-08T10:00:50.000Z', expires_at: '2026-12-08T10:01:20.000Z' });
      // Another name is another lease.
      expect(await acquireServiceLease(db, 'telegram-poller:fedcba9876543210', 'hostA:1:bot:aa', 30_000, at(50_000))).toMatchObject({ acquired: true });
    });
  });

  it('renewServiceLease extends only a live lease of its holder; a lost or expired lease is not revived', async () => {
    await withStore(kind, async ({ db }) => {
      await acquireServiceLease(db, NAME, 'A', 30_000, at(0));
      expect(await renewServiceLease(db, NAME, 'A', 30_000, at(10_000))).toBe(true);
      expect((await getServiceLease(db, NAME))!.expires_at).toBe('2026-12-08T10:00:40.000Z');
      expect(await renewServiceLease(db, NAME, 'B', 30_000, at(10_000))).toBe(false);
      expect(await renewServiceLease(db, NAME, 'A', 30_000, at(40_000))).toBe(false);
      expect((await getServiceLease(db, NAME))!.expires_at).toBe('2026-12-08T10:00:40.000Z');
      await acquireServiceLease(db, NAME, 'B', 30_000, at(41_000));
      expect(await renewServiceLease(db, NAME, 'A', 30_000, at(42_000))).toBe(false);
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: 'B' });
    });
  });

  it('releaseServiceLease frees only its own lease, and the next acquirer gets it at once', async () => {
    await withStore(kind, async ({ db }) => {
      await acquireServiceLease(db, NAME, 'A', 30_000, at(0));
      expect(await releaseServiceLease(db, NAME, 'B')).toBe(false);
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: 'A' });
      expect(await releaseServiceLease(db, NAME, 'A')).toBe(true);
      expect(await getServiceLease(db, NAME)).toBeUndefined();
      expect(await acquireServiceLease(db, NAME, 'B', 30_000, at(1))).toMatchObject({ acquired: true, lease: { holder: 'B' } });
    });
  });

  it('a malformed lease name is refused with invalid_input and nothing is written', async () => {
    await withStore(kind, async ({ db }) => {
      const error = await acquireServiceLease(db, 'bad name\n', 'A', 1000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^service lease name "bad name\\n" must be/) });
      expect(await db.selectFrom('service_leases').selectAll().execute()).toEqual([]);
    });
  });

  it('six processes acquiring at the same moment: exactly one wins, and after it expires exactly one of six steals it', async () => {
    await withStore(kind, async ({ db }, tdb) => {
      const first = await race(tdb, 6, 60_000, 'first-');
      expect(first.filter((r) => r.error)).toEqual([]);
      const winners = first.filter((r) => r.acquired);
      expect(winners).toHaveLength(1);
      for (const loser of first.filter((r) => !r.acquired)) expect(loser.seen).toBe(winners[0]!.holder);
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: winners[0]!.holder });

      await db.updateTable('service_leases').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('name', '=', NAME).execute();
      const second = await race(tdb, 6, 60_000, 'second-');
      expect(second.filter((r) => r.error)).toEqual([]);
      const stealers = second.filter((r) => r.acquired);
      expect(stealers).toHaveLength(1);
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: stealers[0]!.holder });
    });
  }, 60_000);
});
