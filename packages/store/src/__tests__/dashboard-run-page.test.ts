import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunState } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  applyEvent,
  createRuns,
  dashboardRunPage,
  getRun,
  recordAttempt,
  setAttemptVerdict,
  StoreError,
  openStore,
  type Clock,
  type NewRun,
  type OpenDatabase,
  type RunPageQuery,
  type RunPageRow,
  type RunSort,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-01T00:00:00.000Z');
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

function newRun(runId: string, owner: string, repo: string, campaign: string | null): NewRun {
  return { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign };
}

const TO_IMPLEMENTING: RunEvent[] = [
  { type: 'command.start.discovery', actor: 'manager' },
  { type: 'worker.discovery.completed', contract_path: 'c.md', actor: 'manager' },
  { type: 'command.start.implementation', actor: 'manager' },
];
const PAUSE: RunEvent = { type: 'command.pause', actor: 'operator' };
const FAIL: RunEvent = { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'y' };

const OWNERS = ['Octo', 'acme', 'Zeta'];
const REPOS = ['Widgets', 'gadgets'];
const CAMPAIGNS = ['spring', 'autumn', null];
const GRADES = ['PASS', 'RETRYABLE', 'HUMAN_REVIEW', null];

/**
 * 24 runs over three owners (mixed case), two repositories each, two campaigns and none, created in three batches
 * (so creation times tie and the run id breaks the tie), moved to QUEUED, IMPLEMENTING, PAUSED or FAILED_RETRYABLE
 * at their own times (some tied), some graded.
 */
async function seed(store: OpenDatabase): Promise<void> {
  const runs = Array.from({ length: 24 }, (_, i) => newRun(`run_${String(i).padStart(2, '0')}`, OWNERS[i % 3]!, REPOS[i % 2]!, CAMPAIGNS[i % 3 === 0 ? 2 : i % 2]!));
  for (let batch = 0; batch < 3; batch++) await createRuns(store.db, runs.slice(batch * 8, batch * 8 + 8), at(batch * 1000));
  for (let i = 0; i < 24; i++) {
    const runId = runs[i]!.runId;
    const when = at(10_000 + (i % 7) * 1000);
    const path = i % 4;
    if (path >= 1) for (const event of TO_IMPLEMENTING) await applyEvent(store.db, runId, { event }, when);
    if (path === 2) await applyEvent(store.db, runId, { event: PAUSE }, when);
    if (path === 3) await applyEvent(store.db, runId, { event: FAIL }, when);
    const grade = GRADES[(i * 5) % 4] ?? null;
    if (grade) await recordAttempt(store.db, { runId, step: 'agent', succeeded: grade === 'PASS', stdout: '', stderr: '', durationMs: 5, grade }, when);
  }
}

const ids = (rows: RunPageRow[]) => rows.map((r) => r.run_id);

async function walk(store: OpenDatabase, query: Omit<RunPageQuery, 'cursor'>): Promise<{ pages: RunPageRow[][]; totals: number[] }> {
  const pages: RunPageRow[][] = [];
  const totals: number[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await dashboardRunPage(store.db, { ...query, cursor });
    pages.push(page.rows);
    totals.push(page.total);
    if (!page.next) return { pages, totals };
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

/** Every run with the fields the orders read, straight from the rows. */
async function allRuns(store: OpenDatabase): Promise<RunPageRow[]> {
  const page = await dashboardRunPage(store.db, { limit: 200 });
  return page.rows;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function expectedOrder(rows: RunPageRow[], sort: RunSort, direction: 'asc' | 'desc'): string[] {
  const key = (r: RunPageRow): string[] => {
    switch (sort) {
      case 'updated':
        return [r.updated_at, r.run_id];
      case 'created':
        return [r.created_at, r.run_id];
      case 'repo':
        return [r.owner.toLowerCase(), r.repo.toLowerCase(), r.run_id];
      case 'state':
        return [r.current_state, r.updated_at, r.run_id];
    }
  };
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return sign * cmp(ka[i]!, kb[i]!);
      return 0;
    })
    .map((r) => r.run_id);
}

describe.each(dialectsUnderTest())('dashboardRunPage on %s', (kind) => {
  it('filters by state, owner and repository (case-insensitive), campaign and verdict, and counts the matching runs', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      const all = await allRuns(store);
      expect(all).toHaveLength(24);
      const check = async (query: Omit<RunPageQuery, 'limit'>, keep: (r: RunPageRow) => boolean) => {
        const page = await dashboardRunPage(store.db, { ...query, limit: 200 });
        const want = all.filter(keep).map((r) => r.run_id);
        expect(want.length, JSON.stringify(query)).toBeGreaterThan(0);
        expect(ids(page.rows).sort(), JSON.stringify(query)).toEqual([...want].sort());
        expect(page.total).toBe(want.length);
        expect(page.next).toBeNull();
      };
      await check({ states: ['PAUSED'] }, (r) => r.current_state === 'PAUSED');
      await check({ states: ['PAUSED', 'QUEUED'] }, (r) => r.current_state === 'PAUSED' || r.current_state === 'QUEUED');
      await check({ owner: 'OCTO' }, (r) => r.owner === 'Octo');
      await check({ owner: 'octo', repo: 'WIDGETS' }, (r) => r.owner === 'Octo' && r.repo === 'Widgets');
      await check({ campaign: 'spring' }, (r) => r.campaign === 'spring');
      await check({ verdict: 'PASS' }, (r) => r.last_verdict === 'PASS');
      await check({ verdict: 'none' }, (r) => r.last_verdict === null);
      await check({ campaign: 'autumn', states: ['FAILED_RETRYABLE', 'IMPLEMENTING'], verdict: 'RETRYABLE' }, (r) =>
        r.campaign === 'autumn' && ['FAILED_RETRYABLE', 'IMPLEMENTING'].includes(r.current_state) && r.last_verdict === 'RETRYABLE');
      const none = await dashboardRunPage(store.db, { campaign: 'winter', limit: 10 });
      expect(none).toEqual({ rows: [], next: null, total: 0 });
      expect(await dashboardRunPage(store.db, { states: [], limit: 10 })).toEqual({ rows: [], next: null, total: 0 });
      const [first] = (await dashboardRunPage(store.db, { owner: 'zeta', states: ['FAILED_RETRYABLE'], limit: 1 })).rows;
      expect(first).toMatchObject({ owner: 'Zeta', current_state: 'FAILED_RETRYABLE', last_error: 'agent:x:y', pr_number: null });
      expect(first).not.toHaveProperty('owner_key');
    });
  });

  it('orders by each sort in each direction, the run id breaking ties, and pages walk every run exactly once', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      const all = await allRuns(store);
      const filters: Array<Omit<RunPageQuery, 'limit' | 'sort' | 'direction'>> = [
        {},
        { states: ['QUEUED', 'PAUSED', 'FAILED_RETRYABLE'] },
        { campaign: 'spring' },
        { verdict: 'none' },
        { owner: 'acme', repo: 'gadgets' },
      ];
      for (const sort of ['updated', 'created', 'repo', 'state'] as const) {
        for (const direction of ['asc', 'desc'] as const) {
          for (const filter of filters) {
            const label = JSON.stringify({ sort, direction, filter });
            const full = await dashboardRunPage(store.db, { ...filter, sort, direction, limit: 200 });
            const want = expectedOrder(full.rows, sort, direction);
            expect(ids(full.rows), label).toEqual(want);
            const { pages, totals } = await walk(store, { ...filter, sort, direction, limit: 5 });
            expect(pages.flat().map((r) => r.run_id), label).toEqual(want);
            expect(pages.slice(0, -1).every((p) => p.length === 5), label).toBe(true);
            expect(new Set(totals), label).toEqual(new Set([want.length]));
          }
        }
      }
      expect(ids((await dashboardRunPage(store.db, { limit: 200 })).rows)).toEqual(expectedOrder(all, 'updated', 'desc'));
    });
  });

  it('refuses a malformed cursor, a cursor of another order and a limit outside 1..200 with one line', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      const { next } = await dashboardRunPage(store.db, { sort: 'created', limit: 3 });
      expect(next).toEqual(expect.any(String));
      const refused = async (query: RunPageQuery) => {
        const error = await dashboardRunPage(store.db, query).then(() => undefined, (e: unknown) => e);
        expect(error, JSON.stringify(query)).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe('invalid_input');
        expect((error as StoreError).message).not.toMatch(/\n/);
        return (error as StoreError).message;
      };
      expect(await refused({ sort: 'updated', limit: 3, cursor: next! })).toMatch(/another order/);
      expect(await refused({ sort: 'created', direction: 'asc', limit: 3, cursor: next! })).toMatch(/another order/);
      expect(await refused({ limit: 3, cursor: 'not a cursor' })).toMatch(/invalid cursor/);
      expect(await refused({ limit: 3, cursor: Buffer.from('{"a":1}').toString('base64url') })).toMatch(/invalid cursor/);
      expect(await refused({ limit: 3, cursor: Buffer.from('["updated","desc",[1],"x"]').toString('base64url') })).toMatch(/invalid cursor/);
      expect(await refused({ limit: 3, cursor: 'x'.repeat(5000) })).toMatch(/invalid cursor/);
      for (const limit of [0, 201, 1.5, Number.NaN]) expect(await refused({ limit })).toMatch(/limit must be/);
      expect(await refused({ limit: 3, sort: 'owner' as RunSort })).toMatch(/sort must be/);
      expect(await refused({ limit: 3, sort: 'constructor' as RunSort })).toMatch(/sort must be/);
      expect(await refused({ limit: 3, direction: 'up' as 'asc' })).toMatch(/direction must be/);
      expect(await refused({ limit: 3, states: ['QUEUED', 'SLEEPING' as RunState] })).toMatch(/states must be run states/);
      // A cursor of the same order still reads on, whatever was written since.
      expect((await dashboardRunPage(store.db, { sort: 'created', limit: 3, cursor: next! })).rows).toHaveLength(3);
    });
  });

  it('last_verdict is the grade of the newest graded attempt, kept by recordAttempt and setAttemptVerdict without touching updated_at', async () => {
    await withStore(kind, async (store) => {
      await createRuns(store.db, [newRun('run_v', 'o', 'r', null)], at(0));
      const verdict = async () => (await getRun(store.db, 'run_v'))!.state.last_verdict;
      const first = await recordAttempt(store.db, { runId: 'run_v', step: 'agent', succeeded: false, stdout: '', stderr: '', durationMs: 1, grade: 'RETRYABLE' }, at(1000));
      expect(await verdict()).toBe('RETRYABLE');
      const ungraded = await recordAttempt(store.db, { runId: 'run_v', step: 'agent', succeeded: true, stdout: '', stderr: '', durationMs: 1 }, at(2000));
      expect(await verdict()).toBe('RETRYABLE');
      await setAttemptVerdict(store.db, ungraded.id, { grade: 'PASS', reasonCode: 'ok' });
      expect(await verdict()).toBe('PASS');
      // Grading an older attempt again does not replace the newer verdict.
      await setAttemptVerdict(store.db, first.id, { grade: 'HUMAN_REVIEW', reasonCode: 'x' });
      expect(await verdict()).toBe('PASS');
      expect(ids((await dashboardRunPage(store.db, { verdict: 'PASS', limit: 10 })).rows)).toEqual(['run_v']);
      expect((await getRun(store.db, 'run_v'))!.state.updated_at).toBe(new Date(T0).toISOString());
      await setAttemptVerdict(store.db, 999_999, { grade: 'PASS', reasonCode: 'ok' });
    });
  });
});
