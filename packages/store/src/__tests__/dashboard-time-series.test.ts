import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  applyEvent,
  claimDelivery,
  createRun,
  insertSettledDelivery,
  openStore,
  runStatesOverTime,
  StoreError,
  timeInStates,
  webhookDeliveriesOverTime,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const HOUR = 3_600_000;
const D = Date.parse('2026-12-01T00:00:00.000Z');
const t = (day: number, hour: number, minute = 0) => new Date(D + day * 24 * HOUR + hour * HOUR + minute * 60_000);
const iso = (day: number, hour: number, minute = 0) => t(day, hour, minute).toISOString();

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

async function run(store: OpenDatabase, runId: string, created: Date, campaign: string | null = null): Promise<void> {
  await createRun(store.db, { runId, owner: 'o', repo: runId, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign }, () => created);
}

async function event(store: OpenDatabase, runId: string, when: Date, e: RunEvent): Promise<void> {
  await applyEvent(store.db, runId, { event: e }, () => when);
}

const DISCOVER: RunEvent = { type: 'command.start.discovery', actor: 'manager' };
const PLANNED: RunEvent = { type: 'worker.discovery.completed', contract_path: 'c.md', actor: 'manager' };
const IMPLEMENT: RunEvent = { type: 'command.start.implementation', actor: 'manager' };
const PAUSE: RunEvent = { type: 'command.pause', actor: 'operator' };

/**
 * run_old: QUEUED from day -3 10:00, DISCOVERY from day -2 10:00.
 * run_a (spring): QUEUED day 0 10:00, DISCOVERY 12:00, PLAN_READY day 1 08:00, IMPLEMENTING 09:00, PAUSED day 2 08:00.
 * run_b: QUEUED from day 1 11:00, plus an event stored without effect.
 * run_c (spring): QUEUED day 0 09:00, DISCOVERY day 2 10:00.
 * run_late: created day 5, after every window below.
 */
async function seed(store: OpenDatabase): Promise<void> {
  await run(store, 'run_old', t(-3, 10));
  await event(store, 'run_old', t(-2, 10), DISCOVER);
  await run(store, 'run_c', t(0, 9), 'spring');
  await run(store, 'run_a', t(0, 10), 'spring');
  await event(store, 'run_a', t(0, 12), DISCOVER);
  await run(store, 'run_b', t(1, 11));
  await event(store, 'run_a', t(1, 8), PLANNED);
  await event(store, 'run_a', t(1, 9), IMPLEMENT);
  const stored = await applyEvent(store.db, 'run_b', { event: { type: 'github.review.submitted', state: 'approved', pr_number: 3, actor: 'webhook' } }, () => t(1, 12));
  expect(stored.applied).toBe(false);
  await event(store, 'run_a', t(2, 8), PAUSE);
  await event(store, 'run_c', t(2, 10), DISCOVER);
  await run(store, 'run_late', t(5, 0));
}

describe.each(dialectsUnderTest())('the dashboard time series on %s', (kind) => {
  it('runStatesOverTime counts runs by state at the end of each day or hour, for all runs or one campaign', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      expect(await runStatesOverTime(store.db, { since: iso(0, 0), until: iso(2, 23), bucket: 'day' })).toEqual([
        { start: iso(0, 0), counts: { DISCOVERY: 2, QUEUED: 1 } },
        { start: iso(1, 0), counts: { DISCOVERY: 1, IMPLEMENTING: 1, QUEUED: 2 } },
        { start: iso(2, 0), counts: { DISCOVERY: 2, PAUSED: 1, QUEUED: 1 } },
      ]);
      expect(await runStatesOverTime(store.db, { since: iso(0, 5), until: iso(2, 1), bucket: 'day', campaign: 'spring' })).toEqual([
        { start: iso(0, 0), counts: { DISCOVERY: 1, QUEUED: 1 } },
        { start: iso(1, 0), counts: { IMPLEMENTING: 1, QUEUED: 1 } },
        { start: iso(2, 0), counts: { DISCOVERY: 1, PAUSED: 1 } },
      ]);
      expect(await runStatesOverTime(store.db, { since: iso(0, 9, 30), until: iso(0, 12, 10), bucket: 'hour' })).toEqual([
        { start: iso(0, 9), counts: { DISCOVERY: 1, QUEUED: 1 } },
        { start: iso(0, 10), counts: { DISCOVERY: 1, QUEUED: 2 } },
        { start: iso(0, 11), counts: { DISCOVERY: 1, QUEUED: 2 } },
        { start: iso(0, 12), counts: { DISCOVERY: 2, QUEUED: 1 } },
      ]);
      expect(await runStatesOverTime(store.db, { since: iso(-10, 0), until: iso(-9, 0), bucket: 'day' })).toEqual([
        { start: iso(-10, 0), counts: {} },
        { start: iso(-9, 0), counts: {} },
      ]);
      expect(await runStatesOverTime(store.db, { since: iso(0, 0), until: iso(0, 0), bucket: 'day', campaign: 'winter' })).toEqual([{ start: iso(0, 0), counts: {} }]);
    });
  });

  it('timeInStates adds up each run\'s completed stays per state (never the current one), with median and p90 over runs', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      expect(await timeInStates(store.db, { since: iso(-10, 0) })).toEqual([
        { state: 'QUEUED', runs: 3, total_ms: 75 * HOUR, median_ms: 24 * HOUR, p90_ms: 49 * HOUR },
        { state: 'DISCOVERY', runs: 1, total_ms: 20 * HOUR, median_ms: 20 * HOUR, p90_ms: 20 * HOUR },
        { state: 'PLAN_READY', runs: 1, total_ms: HOUR, median_ms: HOUR, p90_ms: HOUR },
        { state: 'IMPLEMENTING', runs: 1, total_ms: 23 * HOUR, median_ms: 23 * HOUR, p90_ms: 23 * HOUR },
      ]);
      expect((await timeInStates(store.db, { since: iso(-10, 0), campaign: 'spring' }))[0]).toEqual({
        state: 'QUEUED', runs: 2, total_ms: 51 * HOUR, median_ms: 25.5 * HOUR, p90_ms: 49 * HOUR,
      });
      // The two most recently updated runs since day 2: run_late (no stay ended) and run_c.
      expect(await timeInStates(store.db, { since: iso(2, 0), limit: 2 })).toEqual([{ state: 'QUEUED', runs: 1, total_ms: 49 * HOUR, median_ms: 49 * HOUR, p90_ms: 49 * HOUR }]);
      expect(await timeInStates(store.db, { since: iso(6, 0) })).toEqual([]);
    });
  });

  it('webhookDeliveriesOverTime counts one source\'s deliveries per bucket by outcome, a delivery without one as pending', async () => {
    await withStore(kind, async (store) => {
      const delivery = (id: string, at: string, source = 'github') => ({ source, deliveryId: id, eventType: 'check_run', payloadSha256: 'x', receivedAt: at });
      await insertSettledDelivery(store.db, delivery('d1', iso(0, 10, 5)), 'processed', {});
      await insertSettledDelivery(store.db, delivery('d2', iso(0, 10, 59)), 'processed', {});
      await insertSettledDelivery(store.db, delivery('d3', iso(0, 10, 30)), 'ignored', {});
      await claimDelivery(store.db, delivery('d4', iso(0, 12, 0)));
      await insertSettledDelivery(store.db, delivery('d5', iso(0, 9, 59)), 'refused', {});
      await insertSettledDelivery(store.db, delivery('d6', iso(0, 13, 0)), 'processed', {});
      await insertSettledDelivery(store.db, delivery('d7', iso(0, 10, 0), 'other'), 'processed', {});
      expect(await webhookDeliveriesOverTime(store.db, { since: iso(0, 10, 15), until: iso(0, 12, 30), bucket: 'hour' })).toEqual([
        { start: iso(0, 10), total: 3, by_outcome: { processed: 2, ignored: 1 } },
        { start: iso(0, 11), total: 0, by_outcome: {} },
        { start: iso(0, 12), total: 1, by_outcome: { pending: 1 } },
      ]);
      expect(await webhookDeliveriesOverTime(store.db, { since: iso(0, 0), until: iso(1, 0), bucket: 'day', source: 'other' })).toEqual([
        { start: iso(0, 0), total: 1, by_outcome: { processed: 1 } },
        { start: iso(1, 0), total: 0, by_outcome: {} },
      ]);
    });
  });

  it('refuses an unreadable time, a window that ends before it starts, too many buckets and a bad limit with one line', async () => {
    await withStore(kind, async (store) => {
      const refused = async (p: Promise<unknown>) => {
        const error = await p.then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe('invalid_input');
        return (error as StoreError).message;
      };
      expect(await refused(runStatesOverTime(store.db, { since: 'yesterday', until: iso(0, 0), bucket: 'day' }))).toMatch(/since must be an ISO time/);
      expect(await refused(runStatesOverTime(store.db, { since: iso(1, 0), until: iso(0, 0), bucket: 'day' }))).toMatch(/is after until/);
      expect(await refused(webhookDeliveriesOverTime(store.db, { since: iso(-400, 0), until: iso(0, 0), bucket: 'hour' }))).toMatch(/at most 2000/);
      expect(await refused(webhookDeliveriesOverTime(store.db, { since: iso(0, 0), until: iso(0, 0), bucket: 'week' as 'day' }))).toMatch(/bucket must be/);
      expect(await refused(timeInStates(store.db, { since: iso(0, 0), limit: 0 }))).toMatch(/limit must be/);
      expect(await refused(timeInStates(store.db, { since: 'soon' }))).toMatch(/since must be/);
    });
  });
});
