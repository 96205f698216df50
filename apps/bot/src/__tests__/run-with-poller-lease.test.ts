import { afterAll, describe, expect, it } from 'vitest';
import { acquireServiceLease, getServiceLease, openStore, type Clock, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import type { Logger } from '@agentpr/orchestrator';
import { pollerLeaseName, runWithPollerLease } from '../run-with-poller-lease.js';

afterAll(() => cleanupTempDirs());

const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';
const NAME = pollerLeaseName(TOKEN);
const TTL = 900;

/** A logger that keeps its lines and resolves waiters as matching lines arrive. */
function capture(): Logger & { lines: string[]; line(pattern: RegExp): Promise<string> } {
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const add = (message: string) => {
    lines.push(message);
    for (const w of [...waiters]) {
      if (w.pattern.test(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  };
  return {
    lines,
    info: add,
    warn: add,
    error: add,
    line: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
  };
}

/** The system clock, with a callback on each reading (each lease statement reads it once). */
function countingClock(): Clock & { next(): Promise<void> } {
  let wake: (() => void) | undefined;
  const clock = (() => {
    wake?.();
    return new Date();
  }) as Clock & { next(): Promise<void> };
  clock.next = () => new Promise<void>((resolve) => (wake = resolve));
  return clock;
}

/** Work that records when it started and holds until its signal aborts. */
function work(result: string) {
  let started!: () => void;
  let stopped!: (reason: unknown) => void;
  const handle = {
    started: new Promise<void>((r) => (started = r)),
    stopped: new Promise<unknown>((r) => (stopped = r)),
    isStarted: false,
    run: async (signal: AbortSignal) => {
      handle.isStarted = true;
      started();
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      stopped(signal.reason);
      return result;
    },
  };
  return handle;
}

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store);
  } finally {
    await store.close().catch(() => {});
    await tdb.drop();
  }
}

describe('pollerLeaseName', () => {
  it('is telegram-poller: and 16 hex of the token hash, never the token', () => {
    expect(NAME).toMatch(/^telegram-poller:[0-9a-f]{16}$/);
    expect(NAME).not.toContain('5550001');
    expect(pollerLeaseName(`${TOKEN}x`)).not.toBe(NAME);
  });
});

describe.each(dialectsUnderTest())('runWithPollerLease on %s', (kind) => {
  it('a second holder stands by with one line naming the holder, does not work across renewals, and takes over when the first stops', async () => {
    await withStore(kind, async ({ db }) => {
      const logA = capture();
      const logB = capture();
      const clockA = countingClock();
      const a = new AbortController();
      const b = new AbortController();
      const workA = work('A');
      const workB = work('B');
      const runA = runWithPollerLease({ db, name: NAME, holder: 'host-a:101:telegram-bot:aa', ttlMs: TTL, clock: clockA, log: logA, label: 'bot A', signal: a.signal }, workA.run);
      await workA.started;
      const runB = runWithPollerLease({ db, name: NAME, holder: 'host-b:202:telegram-bot:bb', ttlMs: TTL, clock: () => new Date(), log: logB, label: 'bot B', signal: b.signal }, workB.run);
      await logB.line(/^bot B stands by: another poller holds telegram-poller:[0-9a-f]{16} \(host host-a, pid 101\) until \S+; not polling/);
      for (let renewals = 0; renewals < 3; renewals++) await clockA.next();
      expect(workB.isStarted).toBe(false);
      expect(logB.lines.filter((l) => l.includes('stands by'))).toHaveLength(1);
      a.abort('SIGTERM');
      expect(await runA).toEqual(['A']);
      await workB.started;
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: 'host-b:202:telegram-bot:bb' });
      b.abort('SIGTERM');
      expect(await runB).toEqual(['B']);
      expect(await getServiceLease(db, NAME)).toBeUndefined();
    });
  });

  it('a holder that died without releasing is replaced as soon as its lease expires', async () => {
    await withStore(kind, async ({ db }) => {
      const dead = await acquireServiceLease(db, NAME, 'host-a:101:telegram-bot:aa', TTL);
      expect(dead.acquired).toBe(true);
      const expiresAt = Date.parse((await getServiceLease(db, NAME))!.expires_at);
      const log = capture();
      const b = new AbortController();
      const workB = work('B');
      const runB = runWithPollerLease({ db, name: NAME, holder: 'host-b:202:telegram-bot:bb', ttlMs: TTL, clock: () => new Date(), log, label: 'bot B', signal: b.signal }, workB.run);
      await workB.started;
      const late = Date.now() - expiresAt;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(TTL);
      b.abort('SIGTERM');
      expect(await runB).toEqual(['B']);
    });
  });

  it('a lost renewal stops the work at once and the process stands by, leaving the new holder its lease', async () => {
    await withStore(kind, async ({ db }) => {
      const log = capture();
      const a = new AbortController();
      const workA = work('A');
      const runA = runWithPollerLease({ db, name: NAME, holder: 'host-a:101:telegram-bot:aa', ttlMs: TTL, clock: () => new Date(), log, label: 'bot A', signal: a.signal }, workA.run);
      await workA.started;
      const far = new Date(Date.now() + 60_000).toISOString();
      await db.updateTable('service_leases').set({ holder: 'host-z:999:telegram-bot:zz', expires_at: far }).where('name', '=', NAME).execute();
      const stolenAt = performance.now();
      expect(await workA.stopped).toBe('lease lost');
      expect(performance.now() - stolenAt).toBeLessThan(TTL);
      await log.line(/^bot A lost the poller lease telegram-poller:[0-9a-f]{16} to host host-z, pid 999; polling stopped, standing by$/);
      await log.line(/^bot A stands by: .*\(host host-z, pid 999\)/);
      a.abort('SIGTERM');
      expect(await runA).toEqual(['A']);
      expect(await getServiceLease(db, NAME)).toMatchObject({ holder: 'host-z:999:telegram-bot:zz' });
    });
  });

  it('a holder that cannot reach the database stops working before its lease can expire', async () => {
    await withStore(kind, async (store) => {
      const log = capture();
      const a = new AbortController();
      const workA = work('A');
      const runA = runWithPollerLease({ db: store.db, name: NAME, holder: 'host-a:101:telegram-bot:aa', ttlMs: TTL, clock: () => new Date(), log, label: 'bot A', signal: a.signal }, workA.run);
      await workA.started;
      const expiresAt = Date.parse((await getServiceLease(store.db, NAME))!.expires_at);
      await store.close();
      await workA.stopped;
      expect(Date.now()).toBeLessThan(expiresAt);
      await log.line(/^bot A cannot renew the poller lease telegram-poller:[0-9a-f]{16} before it expires \(.+\); polling stopped, standing by$/);
      await log.line(/^bot A cannot take the poller lease/);
      a.abort('SIGTERM');
      expect(await runA).toEqual(['A']);
    });
  });
});
