import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import {
  createRuns,
  dashboardRunPage,
  openStore,
  runStatesOverTime,
  timeInStates,
  webhookDeliveriesOverTime,
  SORT_MATCHES_MAX,
  type Database,
  type NewRun,
  type RunPageQuery,
} from '../index.js';

/**
 * 3,000 runs: 2,400 DONE, 300 PAUSED, 300 QUEUED; 2,200 in campaign `big` (the rest in `small`); 2,200 graded PASS;
 * 2,050 of `Big-Owner/big-repo` (more than SORT_MATCHES_MAX), 60 of `little/one`, the rest spread over other owners.
 */
const RUNS = 3_000;
let tdb: TestDatabase;
let sqlite: BetterSqlite3.Database;
let db: Kysely<Database>;
const statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];

beforeAll(async () => {
  tdb = await freshDatabase('sqlite');
  const store = await openStore(tdb.location);
  const runs: NewRun[] = Array.from({ length: RUNS }, (_, i) => {
    const [owner, repo] = i < 2_050 ? ['Big-Owner', 'big-repo'] : i < 2_110 ? ['little', 'one'] : [`owner${i % 97}`, `repo${i % 13}`];
    return { runId: `run_${String(i).padStart(5, '0')}`, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w', campaign: i % 15 < 11 ? 'big' : 'small' };
  });
  for (let i = 0; i < RUNS; i += 500) await createRuns(store.db, runs.slice(i, i + 500), () => new Date(Date.parse('2026-06-01T00:00:00.000Z') + i * 60_000));
  await store.close();
  const writer = new BetterSqlite3(tdb.location.kind === 'sqlite' ? tdb.location.path : '');
  writer.exec(`update run_states set current_state = case when cast(substr(run_id, 5) as integer) % 10 < 8 then 'DONE'
      when cast(substr(run_id, 5) as integer) % 10 = 8 then 'PAUSED' else 'QUEUED' end,
    last_verdict = case when cast(substr(run_id, 5) as integer) % 30 < 22 then 'PASS' else null end,
    updated_at = '2026-07-' || printf('%02d', 1 + cast(substr(run_id, 5) as integer) % 28) || 'T00:00:00.000Z'`);
  writer.close();
  sqlite = new BetterSqlite3(tdb.location.kind === 'sqlite' ? tdb.location.path : '', { readonly: true });
  db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (e) => {
      if (e.level === 'query') statements.push({ sql: e.query.sql, parameters: e.query.parameters });
    },
  });
});

afterAll(async () => {
  await db.destroy();
  await tdb.drop();
  cleanupTempDirs();
});

/** The query plans of every statement `fn` runs, one line per statement. */
async function plans(fn: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0;
  await fn();
  return statements.map((s) => (sqlite.prepare(`explain query plan ${s.sql}`).all(...(s.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join(' | '));
}

const page = (query: Omit<RunPageQuery, 'limit'>) => async () => {
  const first = await dashboardRunPage(db, { limit: 50, ...query });
  // The second page reads from the cursor the same way.
  if (first.next) await dashboardRunPage(db, { limit: 50, ...query, cursor: first.next });
};

describe('the dashboard reads on SQLite, from their query plans', () => {
  it('the seed has a filter of each kind past SORT_MATCHES_MAX and one under it', async () => {
    expect(SORT_MATCHES_MAX).toBe(2_000);
    expect((await dashboardRunPage(db, { owner: 'big-owner', repo: 'BIG-REPO', limit: 1 })).total).toBe(2_050);
    expect((await dashboardRunPage(db, { owner: 'little', repo: 'one', limit: 1 })).total).toBe(60);
    expect((await dashboardRunPage(db, { states: ['DONE'], limit: 1 })).total).toBe(2_400);
    expect((await dashboardRunPage(db, { campaign: 'big', limit: 1 })).total).toBe(2_200);
    expect((await dashboardRunPage(db, { verdict: 'PASS', limit: 1 })).total).toBe(2_200);
  });

  it('the common pages read in order from an index, never sorting: each order, and a state, states, campaign, verdict or large repository by update time', async () => {
    const common: Array<[string, Omit<RunPageQuery, 'limit'>, RegExp]> = [];
    for (const sort of ['updated', 'created', 'repo', 'state'] as const) {
      const index = { updated: /idx_run_states_updated/, created: /idx_runs_created/, repo: /idx_runs_repo_run/, state: /idx_run_states_state_updated/ }[sort];
      for (const direction of ['asc', 'desc'] as const) common.push([`${sort} ${direction}`, { sort, direction }, index]);
    }
    common.push(
      ['a state', { states: ['PAUSED'] }, /idx_run_states_state_updated \(current_state=\?/],
      ['states', { states: ['PAUSED', 'QUEUED', 'DONE'] }, /idx_run_states_state_updated \(current_state=\?/],
      ['a campaign', { campaign: 'small' }, /idx_run_states_campaign_state \(campaign=\? AND current_state=\?/],
      ['a verdict', { verdict: 'PASS' }, /idx_run_states_verdict_updated \(last_verdict=\?/],
      ['no verdict', { verdict: 'none' }, /idx_run_states_verdict_updated \(last_verdict=\?/],
      ['a large repository', { owner: 'Big-Owner', repo: 'big-repo' }, /SCAN s USING INDEX idx_run_states_updated/],
      ['a state and a campaign', { states: ['QUEUED'], campaign: 'big' }, /idx_run_states_(campaign|state)_/],
    );
    for (const [label, query, index] of common) {
      const lines = await plans(page(query));
      expect(lines.join('\n'), label).not.toMatch(/TEMP B-TREE/);
      expect(lines.join('\n'), label).toMatch(index);
    }
  });

  it('a filter no index reads in order sorts only its own runs when they are few, and reads the order\'s index past SORT_MATCHES_MAX', async () => {
    const small = (await plans(page({ owner: 'little', repo: 'one' }))).join('\n');
    expect(small).toMatch(/idx_runs_repo_(run|pr) \(owner_key=\? AND repo_key=\?\)/);
    for (const [label, query, index] of [
      ['DONE by creation', { states: ['DONE'], sort: 'created' }, /SCAN r USING (COVERING )?INDEX idx_runs_created/],
      ['PASS by creation', { verdict: 'PASS', sort: 'created' }, /SCAN r USING (COVERING )?INDEX idx_runs_created/],
      ['campaign big by repository', { campaign: 'big', sort: 'repo' }, /SCAN r USING (COVERING )?INDEX idx_runs_repo_run/],
      ['PASS by state', { verdict: 'PASS', sort: 'state' }, /SCAN s USING (COVERING )?INDEX idx_run_states_state_updated/],
    ] as const) {
      const lines = (await plans(page(query))).join('\n');
      expect(lines, label).not.toMatch(/TEMP B-TREE/);
      expect(lines, label).toMatch(index);
    }
    // Read in order or sorted, the page is the same: the newest-created DONE runs.
    const done = sqlite.prepare("select r.run_id from runs r join run_states s on s.run_id = r.run_id where s.current_state = 'DONE' order by r.created_at desc, r.run_id desc limit 50").all() as Array<{ run_id: string }>;
    expect((await dashboardRunPage(db, { states: ['DONE'], sort: 'created', limit: 50 })).rows.map((r) => r.run_id)).toEqual(done.map((r) => r.run_id));
  });

  it('runs by state over time reads the state changes from idx_events_state_changes, deliveries from their covering index, recent runs from idx_run_states_updated', async () => {
    const window = { since: '2026-06-01T00:00:00.000Z', until: '2026-07-30T00:00:00.000Z', bucket: 'day' } as const;
    const states = (await plans(() => runStatesOverTime(db, window))).join('\n');
    expect(states).toMatch(/SEARCH e USING COVERING INDEX idx_events_state_changes \(created_at>\?\)/);
    expect(states).toMatch(/SEARCH r USING COVERING INDEX idx_runs_created \(created_at>\?\)/);
    expect(states).not.toMatch(/SCAN e\b/);
    const deliveries = (await plans(() => webhookDeliveriesOverTime(db, window))).join('\n');
    expect(deliveries).toMatch(/COVERING INDEX idx_webhook_deliveries_received \(source=\? AND received_at>\? AND received_at<\?\)/);
    const stays = (await plans(() => timeInStates(db, { since: window.since }))).join('\n');
    expect(stays).toMatch(/idx_run_states_updated \(updated_at>\?\)/);
    expect(stays).toMatch(/SEARCH e USING INDEX idx_events_run_created \(run_id=\?\)/);
  });
});
