import { afterAll, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  applyEvents,
  createRun,
  getDeliveryRun,
  getRun,
  inTransaction,
  openSqliteDeliveryWriter,
  openStore,
  recordDeliveryEvent,
  type DeliveryEvent,
  type DeliveryExecutor,
  type OpenDatabase,
} from '../index.js';
import { migrations } from '../migrations/index.js';

afterAll(() => cleanupTempDirs());

const HEAD = 'a'.repeat(40);
const NOW = new Date('2026-12-01T10:00:00.000Z');

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase, path: string | undefined) => Promise<void>, migrate = true): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location, { migrate });
  try {
    await fn(store, tdb.location.kind === 'sqlite' ? tdb.location.path : undefined);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

/** The states each of a run's events recorded, oldest first. */
async function moves(store: OpenDatabase, runId: string): Promise<Array<[string, string | null, string | null]>> {
  const rows = await store.db.selectFrom('events').select(['event_type', 'from_state', 'to_state']).where('run_id', '=', runId).orderBy('event_id').execute();
  return rows.map((r) => [r.event_type, r.from_state, r.to_state]);
}

/** A run in CI_WAIT with PR 7 and pushed head HEAD, as the webhook finds it. */
async function inCiWait(store: OpenDatabase, runId: string): Promise<void> {
  await createRun(store.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w' }, () => NOW);
  await store.db.insertInto('artifacts').values({ run_id: runId, artifact_type: 'branch', uri: 'b', metadata_json: JSON.stringify({ sha: HEAD }), created_at: 'x' }).execute();
  await store.db.updateTable('runs').set({ pr_number: 7 }).where('run_id', '=', runId).execute();
  await store.db.updateTable('run_states').set({ current_state: 'CI_WAIT', last_active_state: 'CI_WAIT' }).where('run_id', '=', runId).execute();
}

const FAILED_CHECK: DeliveryEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, head_sha: HEAD, actor: 'webhook' };
const STALE_CHECK: DeliveryEvent = { type: 'github.check.completed', conclusion: 'success', pr_number: 7, head_sha: 'b'.repeat(40), actor: 'webhook' };

describe.each(dialectsUnderTest())('events.from_state and to_state on %s', (kind) => {
  it('applyEvents records the state before and after each applied event (the same one when it stays), and neither for one stored without effect', async () => {
    await withStore(kind, async (store) => {
      await createRun(store.db, { runId: 'run_e', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w' }, () => NOW);
      await applyEvents(store.db, 'run_e', [
        { event: { type: 'command.start.discovery', actor: 'manager' } },
        { event: { type: 'github.review.submitted', state: 'approved', pr_number: 3, actor: 'webhook' } },
        { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'y' } },
        { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'x', error_message: 'again' } },
        { event: { type: 'command.retry', target_state: 'DISCOVERY', actor: 'operator' } },
      ], () => NOW);
      expect(await moves(store, 'run_e')).toEqual([
        ['command.run.create', null, null],
        ['command.start.discovery', 'QUEUED', 'DISCOVERY'],
        ['github.review.submitted', null, null],
        ['worker.step.failed', 'DISCOVERY', 'FAILED_RETRYABLE'],
        ['worker.step.failed', 'FAILED_RETRYABLE', 'FAILED_RETRYABLE'],
        ['command.retry', 'FAILED_RETRYABLE', 'DISCOVERY'],
      ]);
    });
  });

  it('the webhook\'s recordDeliveryEvent records the same states as applyEvents, through kysely and the SQLite writer', async () => {
    await withStore(kind, async (store, path) => {
      const vias: Array<{ name: string; run: <T>(fn: (x: DeliveryExecutor | typeof store.db) => Promise<T>) => Promise<T>; close?: () => void }> = [
        { name: 'kysely', run: (fn) => inTransaction(store.db, (trx) => fn(trx)) },
      ];
      if (path) {
        const writer = openSqliteDeliveryWriter(path, { checkpoints: 'inline' });
        vias.push({ name: 'sqlite writer', run: (fn) => writer.transaction((x) => fn(x)), close: () => writer.close() });
      }
      await inCiWait(store, 'run_store');
      await applyEvents(store.db, 'run_store', [{ event: FAILED_CHECK, idempotencyKey: 'k1' }, { event: STALE_CHECK, idempotencyKey: 'k2', optional: true }], () => NOW);
      const want = await moves(store, 'run_store');
      expect(want.slice(1)).toEqual([
        ['github.check.completed', 'CI_WAIT', (await getRun(store.db, 'run_store'))!.state.current_state],
        ['github.check.completed', null, null],
      ]);
      expect(want[1]![2]).not.toBe('CI_WAIT');
      for (const via of vias) {
        const runId = `run_${via.name.replace(' ', '_')}`;
        await inCiWait(store, runId);
        await via.run(async (x) => {
          const view = await getDeliveryRun(x, runId);
          await recordDeliveryEvent(x, view!, { event: FAILED_CHECK, idempotencyKey: 'k1' }, NOW.toISOString());
          await recordDeliveryEvent(x, view!, { event: STALE_CHECK, idempotencyKey: 'k2' }, NOW.toISOString());
        });
        via.close?.();
        expect(await moves(store, runId), via.name).toEqual(want);
      }
    });
  });

  it('the dashboard migration backfills both states by replaying each run\'s applied events, ending in the run\'s current state, and last_verdict', async () => {
    await withStore(
      kind,
      async (store) => {
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async () => migrations(store.dialect) } });
        expect((await migrator.migrateTo('20261206T000000-citizenship')).error).toBeUndefined();
        const at = (m: number) => new Date(NOW.getTime() + m * 60_000).toISOString();
        const run = async (runId: string, state: string) => {
          await sql`insert into runs (run_id, owner, repo, owner_key, repo_key, prompt_version, mode, budget_json, workspace_dir, pr_number, campaign, created_at, updated_at)
            values (${runId}, 'o', 'r', 'o', 'r', 'v1', 'push_only', '{}', '/w', null, null, ${at(0)}, ${at(0)})`.execute(store.db);
          await sql`insert into run_states (run_id, current_state, updated_at) values (${runId}, ${state}, ${at(9)})`.execute(store.db);
        };
        let n = 0;
        const event = async (runId: string, type: string, payload: string, applied = 1) => {
          n++;
          await sql`insert into events (run_id, event_type, idempotency_key, payload_json, applied, reason, actor, created_at)
            values (${runId}, ${type}, ${`k${n}`}, ${payload}, ${applied}, null, 'manager', ${at(n)})`.execute(store.db);
        };
        await run('run_a', 'PAUSED');
        await event('run_a', 'command.run.create', '{"run_id":"run_a"}');
        await event('run_a', 'command.start.discovery', '{"actor":"manager"}');
        await event('run_a', 'github.review.submitted', '{"state":"approved","pr_number":3,"actor":"webhook"}', 0);
        await event('run_a', 'worker.discovery.completed', '{"contract_path":"c.md","actor":"manager"}');
        await event('run_a', 'command.mystery', 'not json');
        await event('run_a', 'command.pause', '{"actor":"operator"}');
        // The history says IMPLEMENTING; the run's row, moved by hand, says FAILED_TERMINAL: the last event ends there.
        await run('run_b', 'FAILED_TERMINAL');
        await event('run_b', 'command.run.create', '{}');
        await event('run_b', 'command.start.discovery', '{"actor":"manager"}');
        await event('run_b', 'worker.discovery.completed', '{"contract_path":"c.md","actor":"manager"}');
        await event('run_b', 'command.start.implementation', '{"actor":"manager"}');
        await run('run_c', 'QUEUED');
        await event('run_c', 'command.run.create', '{}');
        await sql`insert into step_attempts (run_id, step, attempt_no, exit_code, stdout_log, stderr_log, duration_ms, grade, reason_code, stage, created_at)
          values ('run_a', 'agent', 1, 0, '', '', 1, 'RETRYABLE', 'x', null, ${at(1)}), ('run_a', 'agent', 2, 0, '', '', 1, 'PASS', 'ok', null, ${at(2)}),
            ('run_a', 'finish', 1, 0, '', '', 1, null, null, null, ${at(3)})`.execute(store.db);
        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        expect(await moves(store, 'run_a')).toEqual([
          ['command.run.create', null, null],
          ['command.start.discovery', 'QUEUED', 'DISCOVERY'],
          ['github.review.submitted', null, null],
          ['worker.discovery.completed', 'DISCOVERY', 'PLAN_READY'],
          ['command.mystery', 'PLAN_READY', 'PLAN_READY'],
          ['command.pause', 'PLAN_READY', 'PAUSED'],
        ]);
        expect(await moves(store, 'run_b')).toEqual([
          ['command.run.create', null, null],
          ['command.start.discovery', 'QUEUED', 'DISCOVERY'],
          ['worker.discovery.completed', 'DISCOVERY', 'PLAN_READY'],
          ['command.start.implementation', 'PLAN_READY', 'FAILED_TERMINAL'],
        ]);
        expect(await moves(store, 'run_c')).toEqual([['command.run.create', null, null]]);
        expect((await getRun(store.db, 'run_a'))!.state.last_verdict).toBe('PASS');
        expect((await getRun(store.db, 'run_c'))!.state.last_verdict).toBeNull();
      },
      false,
    );
  });
});
