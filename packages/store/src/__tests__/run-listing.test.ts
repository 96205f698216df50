import { afterAll, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { Migrator, sql } from 'kysely';
import type { RunEvent, RunState } from '@agentpr/state-machine';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  applyEvent,
  createRun,
  createRuns,
  getRun,
  listRuns,
  lockRun,
  mergeEvidence,
  openSqliteReader,
  openStore,
  type Clock,
  type NewRun,
  type OpenDatabase,
} from '../index.js';
import { migrations } from '../migrations/index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const at = (ms: number): Clock => () => new Date(T0 + ms);

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase, path: string | undefined) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store, tdb.location.kind === 'sqlite' ? tdb.location.path : undefined);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

function newRun(runId: string, extra: Partial<NewRun> = {}): NewRun {
  return { runId, owner: 'Octo', repo: 'Widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, ...extra };
}

async function events(store: OpenDatabase, runId: string, list: RunEvent[], ms: number): Promise<void> {
  for (const event of list) await applyEvent(store.db, runId, { event }, at(ms));
}

const TO_IMPLEMENTING: RunEvent[] = [
  { type: 'command.start.discovery', actor: 'manager' },
  { type: 'worker.discovery.completed', contract_path: 'c.md', actor: 'manager' },
  { type: 'command.start.implementation', actor: 'manager' },
];

/**
 * Six runs: two repositories, two campaigns (and one run without), states QUEUED, IMPLEMENTING, PAUSED and
 * NEEDS_HUMAN_REVIEW, each updated at its own time so the order is known: run_f is the newest.
 */
async function seed(store: OpenDatabase): Promise<void> {
  await createRun(store.db, newRun('run_a', { campaign: 'spring' }), at(0));
  await createRun(store.db, newRun('run_b', { campaign: 'spring', owner: 'other', repo: 'thing' }), at(1000));
  await createRun(store.db, newRun('run_c', { campaign: 'autumn' }), at(2000));
  await createRun(store.db, newRun('run_d'), at(3000));
  await createRun(store.db, newRun('run_e', { campaign: 'spring' }), at(4000));
  await createRun(store.db, newRun('run_f', { campaign: 'autumn', owner: 'other', repo: 'thing' }), at(5000));
  await events(store, 'run_b', TO_IMPLEMENTING, 6000);
  await events(store, 'run_c', [...TO_IMPLEMENTING, { type: 'command.pause', actor: 'operator' }], 7000);
  await events(store, 'run_e', [...TO_IMPLEMENTING, { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'y' }], 8000);
  await events(store, 'run_e', [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' }], 9000);
  await events(store, 'run_f', TO_IMPLEMENTING, 10_000);
}

const ids = (runs: Array<{ run_id: string }>) => runs.map((r) => r.run_id);

describe.each(dialectsUnderTest())('listRuns filters on %s', (kind) => {
  it('narrows by state, repository (case-insensitive) and campaign, combined, newest first', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      expect(ids(await listRuns(store.db, { limit: 50 }))).toEqual(['run_f', 'run_e', 'run_c', 'run_b', 'run_d', 'run_a']);
      expect(ids(await listRuns(store.db, { limit: 50, states: ['IMPLEMENTING'] }))).toEqual(['run_f', 'run_b']);
      expect(ids(await listRuns(store.db, { limit: 50, states: ['QUEUED', 'PAUSED', 'NEEDS_HUMAN_REVIEW'] }))).toEqual(['run_e', 'run_c', 'run_d', 'run_a']);
      expect(ids(await listRuns(store.db, { limit: 2, states: ['QUEUED', 'PAUSED', 'NEEDS_HUMAN_REVIEW'] }))).toEqual(['run_e', 'run_c']);
      expect(ids(await listRuns(store.db, { limit: 50, repo: { owner: 'OTHER', repo: 'Thing' } }))).toEqual(['run_f', 'run_b']);
      expect(ids(await listRuns(store.db, { limit: 50, campaign: 'spring' }))).toEqual(['run_e', 'run_b', 'run_a']);
      expect(ids(await listRuns(store.db, { limit: 50, campaign: 'spring', states: ['IMPLEMENTING'], repo: { owner: 'other', repo: 'thing' } }))).toEqual(['run_b']);
      expect(await listRuns(store.db, { limit: 50, campaign: 'winter' })).toEqual([]);
      expect(await listRuns(store.db, { limit: 50, states: ['DONE'] })).toEqual([]);
      const [first] = await listRuns(store.db, { limit: 1, campaign: 'autumn' });
      expect(first).toMatchObject({ run_id: 'run_f', owner: 'other', repo: 'thing', campaign: 'autumn', current_state: 'IMPLEMENTING', pr_number: null });
    });
  });

  it('a run paused in NEEDS_HUMAN_REVIEW keeps paused_from in the store, and resume takes it back there', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      await events(store, 'run_e', [{ type: 'command.pause', actor: 'operator' }], 11_000);
      expect((await getRun(store.db, 'run_e'))!.state).toMatchObject({ current_state: 'PAUSED', paused_from: 'NEEDS_HUMAN_REVIEW', last_active_state: 'IMPLEMENTING' });
      expect(await lockRun(store.db, 'run_e')).toMatchObject({ state: 'PAUSED', pausedFrom: 'NEEDS_HUMAN_REVIEW' });
      const resumed = await applyEvent(store.db, 'run_e', { event: { type: 'command.resume', actor: 'operator' } }, at(12_000));
      expect(resumed).toMatchObject({ state: 'NEEDS_HUMAN_REVIEW', from: 'PAUSED' });
      expect((await getRun(store.db, 'run_e'))!.state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', paused_from: null, last_active_state: 'IMPLEMENTING' });
      // A run paused from a pipeline stage still goes back to it.
      expect(await applyEvent(store.db, 'run_c', { event: { type: 'command.resume', actor: 'operator' } }, at(13_000))).toMatchObject({ state: 'IMPLEMENTING' });
    });
  });

  it('mergeEvidence: never pushed, pushed without a PR, a linked PR, and a recorded merge', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, newRun('run_m'), at(0));
      expect(await mergeEvidence(store.db, 'run_m')).toEqual({ pushed: false, prNumber: null, mergedPr: null });
      await events(store, 'run_m', [
        ...TO_IMPLEMENTING,
        { type: 'command.local.validation.passed', actor: 'manager' },
        { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'abc', actor: 'worker' },
      ], 1000);
      expect(await mergeEvidence(store.db, 'run_m')).toEqual({ pushed: true, prNumber: null, mergedPr: null });
      await events(store, 'run_m', [{ type: 'command.pr.linked', pr_number: 41, actor: 'operator' }, { type: 'github.pull_request.closed', pr_number: 41, merged: false, actor: 'webhook' }], 2000);
      expect(await mergeEvidence(store.db, 'run_m')).toEqual({ pushed: true, prNumber: 41, mergedPr: null });
      await events(store, 'run_m', [{ type: 'github.pull_request.closed', pr_number: 41, merged: true, actor: 'webhook' }], 3000);
      expect(await mergeEvidence(store.db, 'run_m')).toEqual({ pushed: true, prNumber: 41, mergedPr: 41 });
    });
  });
});

describe.each(dialectsUnderTest())('the campaign list key on %s', (kind) => {
  it('the migration copies each run\'s campaign beside its state, so runs created before it are listed by campaign', async () => {
    const tdb = await freshDatabase(kind);
    const store = await openStore(tdb.location, { migrate: false });
    try {
      const all = migrations(store.dialect);
      const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => all } });
      expect((await migrator.migrateTo('20261126T000100-paused-from')).error).toBeUndefined();
      await sql`insert into runs (run_id, owner, repo, owner_key, repo_key, prompt_version, mode, budget_json, workspace_dir, pr_number, campaign, created_at, updated_at)
        values ('run_old', 'o', 'r', 'o', 'r', 'v1', 'push_only', '{}', '/w', null, 'spring', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')`.execute(store.db);
      await sql`insert into run_states (run_id, current_state, updated_at) values ('run_old', 'QUEUED', '2026-11-01T00:00:00.000Z')`.execute(store.db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(ids(await listRuns(store.db, { limit: 10, campaign: 'spring' }))).toEqual(['run_old']);
    } finally {
      await store.close();
      await tdb.drop();
    }
  });
});

describe('the SQLite fast path lists the same rows as the store', () => {
  it('every filter gives the rows and order of listRuns', async () => {
    await withStore('sqlite', async (store, path) => {
      await seed(store);
      const reader = openSqliteReader(path!);
      expect(reader).toBeDefined();
      try {
        const filters: Array<{ states?: RunState[]; repo?: { owner: string; repo: string }; campaign?: string }> = [
          {},
          { states: ['IMPLEMENTING'] },
          { states: ['QUEUED', 'PAUSED', 'NEEDS_HUMAN_REVIEW'] },
          { repo: { owner: 'OTHER', repo: 'thing' } },
          { campaign: 'spring' },
          { campaign: 'spring', states: ['IMPLEMENTING', 'QUEUED'], repo: { owner: 'octo', repo: 'widgets' } },
        ];
        for (const filter of filters) {
          for (const limit of [1, 3, 50]) {
            expect(reader!.listRuns(limit, filter), JSON.stringify(filter)).toEqual(await listRuns(store.db, { limit, ...filter }));
          }
        }
        expect(reader!.getRun('run_c')!.state).toMatchObject({ current_state: 'PAUSED', paused_from: 'IMPLEMENTING' });
      } finally {
        reader!.close();
      }
    });
  });

  it('a state, or a campaign and a state, is read from its index in order (no sort, stops at the limit); a repository uses its index', async () => {
    await withStore('sqlite', async (store, path) => {
      await createRuns(store.db, Array.from({ length: 50 }, (_, i) => newRun(`run_${i}`, { campaign: 'spring' })), at(0));
      const db = new BetterSqlite3(path!, { readonly: true });
      try {
        const plan = (sql: string, ...params: unknown[]) =>
          (db.prepare(`explain query plan ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
        const select = 'select r.run_id from run_states s join runs r on r.run_id = s.run_id';
        const order = 'order by s.updated_at desc, s.run_id desc limit 20';
        const byState = plan(`${select} where s.current_state = ? ${order}`, 'QUEUED');
        expect(byState).toMatch(/idx_run_states_state_updated/);
        expect(byState).not.toMatch(/TEMP B-TREE/);
        expect(plan(`${select} where r.owner_key = ? and r.repo_key = ? ${order}`, 'octo', 'widgets')).toMatch(/idx_runs_repo_(pr|run)/);
        const byCampaign = plan(`${select} where s.current_state = ? and s.campaign = ? ${order}`, 'QUEUED', 'spring');
        expect(byCampaign).toMatch(/idx_run_states_campaign_state/);
        expect(byCampaign).not.toMatch(/TEMP B-TREE/);
        expect(plan(`${select} ${order}`)).toMatch(/idx_run_states_updated/);
      } finally {
        db.close();
      }
    });
  });
});
