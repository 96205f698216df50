import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import {
  acquireLease,
  applyEvent,
  applyEvents,
  attemptSucceeded,
  boundLog,
  createRun,
  createRuns,
  expireLeases,
  findRunByPr,
  getRun,
  latestArtifact,
  listActiveRuns,
  listAttempts,
  listEvents,
  listRuns,
  openStore,
  recordAttempt,
  releaseLease,
  renewLease,
  StoreError,
  withLease,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());
const MIGRATION_COUNT = (await import('../migrations/names.js')).MIGRATION_NAMES.length;

function newRun(runId: string, owner = 'Mem0AI', repo = 'Mem0') {
  return { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/ws/${owner}/${repo}/${runId}` };
}

let clockMs = Date.parse('2026-11-23T10:00:00.000Z');
const clock = () => new Date(clockMs);

describe.each(dialectsUnderTest())('store on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;

  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('createRun inserts the run in QUEUED with its creation event', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    const found = await getRun(store.db, 'run_a');
    expect(found?.state.current_state).toBe('QUEUED');
    expect(found?.run.owner).toBe('Mem0AI');
    const events = await listEvents(store.db, 'run_a', { limit: 10 });
    expect(events.map((e) => [e.event_type, e.idempotency_key])).toEqual([['command.run.create', 'run-create:run_a']]);
  });

  it('createRun with an existing id fails with run_exists and changes nothing', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    await expect(createRun(store.db, { ...newRun('run_a'), promptVersion: 'v2' }, clock)).rejects.toMatchObject({ code: 'run_exists' });
    expect((await getRun(store.db, 'run_a'))?.run.prompt_version).toBe('v1');
  });

  it('createRuns is all or nothing', async () => {
    await createRun(store.db, newRun('run_b'), clock);
    await expect(createRuns(store.db, [newRun('run_new1'), newRun('run_b')], clock)).rejects.toMatchObject({ code: 'run_exists' });
    expect(await getRun(store.db, 'run_new1')).toBeUndefined();
  });

  it('applyEvent moves the run and returns the result object', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    const r = await applyEvent(store.db, 'run_a', { event: { type: 'command.start.discovery' } }, clock);
    expect(r).toMatchObject({ duplicate: false, event_type: 'command.start.discovery', run_id: 'run_a', state: 'DISCOVERY' });
  });

  it('a command repeated without a key is applied again; a repeated supplied key is a duplicate', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    await applyEvent(store.db, 'run_a', { event: { type: 'command.pause' } });
    await applyEvent(store.db, 'run_a', { event: { type: 'command.resume' } });
    const second = await applyEvent(store.db, 'run_a', { event: { type: 'command.pause' } });
    expect(second).toMatchObject({ duplicate: false, state: 'PAUSED' });
    const k1 = await applyEvent(store.db, 'run_a', { event: { type: 'command.resume' }, idempotencyKey: 'k1' });
    const k1again = await applyEvent(store.db, 'run_a', { event: { type: 'command.resume' }, idempotencyKey: 'k1' });
    expect(k1.duplicate).toBe(false);
    expect(k1again).toMatchObject({ duplicate: true, state: 'DISCOVERY' });
    expect((await listEvents(store.db, 'run_a', { limit: 50 })).filter((e) => e.idempotency_key === 'k1')).toHaveLength(1);
  });

  it('a refused event rolls back: no event stored, state unchanged', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    const before = await listEvents(store.db, 'run_a', { limit: 50 });
    await expect(applyEvent(store.db, 'run_a', { event: { type: 'command.mark.done' } })).rejects.toMatchObject({ code: 'refused' });
    expect(await listEvents(store.db, 'run_a', { limit: 50 })).toEqual(before);
    expect((await getRun(store.db, 'run_a'))?.state.current_state).toBe('QUEUED');
  });

  it('applyEvent on an unknown run fails with run_not_found', async () => {
    await expect(applyEvent(store.db, 'nope', { event: { type: 'command.pause' } })).rejects.toMatchObject({ code: 'run_not_found' });
  });

  it('a failure and its convergence commit together and keep the failure reason', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    await applyEvent(store.db, 'run_a', { event: { type: 'command.start.discovery' } });
    const results = await applyEvents(store.db, 'run_a', [
      { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'codex_agent_failed', error_message: 'exit 1', actor: 'worker' } },
      { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'worker' } },
    ]);
    expect(results.map((r) => r.state)).toEqual(['FAILED_RETRYABLE', 'NEEDS_HUMAN_REVIEW']);
    const run = await getRun(store.db, 'run_a');
    expect(run?.state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: 'agent:codex_agent_failed:exit 1', last_active_state: 'DISCOVERY' });
  });

  it('a refused non-optional event in a batch rolls the whole batch back', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    await expect(
      applyEvents(store.db, 'run_a', [{ event: { type: 'command.start.discovery' } }, { event: { type: 'command.mark.done' } }]),
    ).rejects.toMatchObject({ code: 'refused' });
    expect((await getRun(store.db, 'run_a'))?.state.current_state).toBe('QUEUED');
    expect(await listEvents(store.db, 'run_a', { limit: 50 })).toHaveLength(1);
  });

  it('an optional refused event is skipped and the rest commits', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    const results = await applyEvents(store.db, 'run_a', [
      { event: { type: 'command.start.discovery' } },
      { event: { type: 'command.mark.done' }, optional: true },
    ]);
    expect(results[1]?.refused?.code).toBe('no_target');
    expect((await getRun(store.db, 'run_a'))?.state.current_state).toBe('DISCOVERY');
  });

  it('side effects: push.completed adds the branch artefact, pr.linked sets pr_number, stale heads are stored not applied', async () => {
    await createRun(store.db, newRun('run_a'), clock);
    for (const type of ['command.start.discovery'] as const) await applyEvent(store.db, 'run_a', { event: { type } });
    await applyEvent(store.db, 'run_a', { event: { type: 'worker.discovery.completed', contract_path: '/c.md' } });
    await applyEvent(store.db, 'run_a', { event: { type: 'command.start.implementation' } });
    await applyEvent(store.db, 'run_a', { event: { type: 'command.local.validation.passed' } });
    await applyEvent(store.db, 'run_a', { event: { type: 'worker.push.completed', branch: 'feature/x', head_sha: 'abc123' } });
    expect((await latestArtifact(store.db, 'run_a', 'branch'))?.metadata).toEqual({ sha: 'abc123' });
    expect((await latestArtifact(store.db, 'run_a', 'contract'))?.uri).toBe('/c.md');
    await applyEvent(store.db, 'run_a', { event: { type: 'command.pr.linked', pr_number: 42 } });
    expect((await getRun(store.db, 'run_a'))?.run.pr_number).toBe(42);
    const stale = await applyEvent(store.db, 'run_a', { event: { type: 'github.check.completed', conclusion: 'success', head_sha: 'other' } });
    expect(stale).toMatchObject({ applied: false, reason: 'stale_head_sha', state: 'CI_WAIT' });
    const ok = await applyEvent(store.db, 'run_a', { event: { type: 'github.check.completed', conclusion: 'success', head_sha: 'ABC123' } });
    expect(ok.state).toBe('REVIEW_WAIT');
    const events = await listEvents(store.db, 'run_a', { limit: 50 });
    expect(events.find((e) => e.reason === 'stale_head_sha')?.applied).toBe(0);
  });

  it('findRunByPr matches owner and repo case-insensitively', async () => {
    await createRun(store.db, newRun('run_a', 'Mem0AI', 'Mem0'));
    for (const e of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: 'c' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'b', head_sha: 's' },
      { type: 'command.pr.linked', pr_number: 7 },
    ] as const) {
      await applyEvent(store.db, 'run_a', { event: e });
    }
    expect((await findRunByPr(store.db, { prNumber: 7, owner: 'mem0ai', repo: 'mem0' }))?.run_id).toBe('run_a');
    expect(await findRunByPr(store.db, { prNumber: 7, owner: 'other', repo: 'mem0' })).toBeUndefined();
  });

  it('listRuns is newest first; listActiveRuns skips terminal runs, oldest first', async () => {
    clockMs = Date.parse('2026-11-23T10:00:00.000Z');
    await createRun(store.db, newRun('r1'), clock);
    clockMs += 1000;
    await createRun(store.db, newRun('r2'), clock);
    clockMs += 1000;
    await createRun(store.db, newRun('r3'), clock);
    clockMs += 1000;
    await applyEvent(store.db, 'r2', { event: { type: 'command.pause' } }, clock);
    clockMs += 1000;
    await applyEvent(store.db, 'r1', { event: { type: 'command.retry', target_state: 'SKIPPED', actor: 'manager' } }, clock);
    expect((await listRuns(store.db, { limit: 2 })).map((r) => r.run_id)).toEqual(['r1', 'r2']);
    expect((await listActiveRuns(store.db, { limit: 10 })).map((r) => r.run_id)).toEqual(['r3', 'r2']);
  });

  it('recordAttempt numbers attempts per step and bounds logs', async () => {
    await createRun(store.db, newRun('run_a'));
    const big = 'x'.repeat(70 * 1024) + 'END';
    const a1 = await recordAttempt(store.db, { runId: 'run_a', step: 'prepare', succeeded: false, stdout: big, stderr: '', durationMs: 5 });
    const a2 = await recordAttempt(store.db, { runId: 'run_a', step: 'prepare', succeeded: true, stdout: 'ok', stderr: '', durationMs: 5 });
    const b1 = await recordAttempt(store.db, { runId: 'run_a', step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 5, grade: 'PASS', reasonCode: 'runtime_success', stage: 'IMPLEMENTING' });
    expect([a1.attempt_no, a2.attempt_no, b1.attempt_no]).toEqual([1, 2, 1]);
    expect(a1.stdout_log.startsWith('[agentpr: ')).toBe(true);
    expect(a1.stdout_log.endsWith('END')).toBe(true);
    expect(Buffer.byteLength(a1.stdout_log)).toBeLessThan(64 * 1024 + 100);
  });

  it('recordAttempt stores a process exit as is, else 0 for success and 1 for failure; attemptSucceeded reads it back', async () => {
    await createRun(store.db, newRun('run_a'));
    const base = { runId: 'run_a', step: 'prepare', stdout: '', stderr: '', durationMs: 1 };
    const rows = [
      await recordAttempt(store.db, { ...base, succeeded: true }),
      await recordAttempt(store.db, { ...base, succeeded: false }),
      await recordAttempt(store.db, { ...base, succeeded: false, processExit: 128 }),
      await recordAttempt(store.db, { ...base, succeeded: false, processExit: null }),
    ];
    expect(rows.map((r) => r.exit_code)).toEqual([0, 1, 128, 1]);
    const listed = (await listAttempts(store.db, 'run_a', { limit: 10 })).reverse();
    expect(listed.map((r) => r.exit_code)).toEqual([0, 1, 128, 1]);
    expect(listed.map(attemptSucceeded)).toEqual([true, false, false, false]);
  });

  it('leases: one holder at a time, renew, release, steal after expiry', async () => {
    await createRun(store.db, newRun('run_a'));
    let now = Date.parse('2026-11-23T10:00:00.000Z');
    const c = () => new Date(now);
    expect((await acquireLease(store.db, 'run_a', 'A', 1000, c)).acquired).toBe(true);
    expect(await acquireLease(store.db, 'run_a', 'B', 1000, c)).toMatchObject({ acquired: false, holder: 'A' });
    expect(await renewLease(store.db, 'run_a', 'A', 5000, c)).toBe(true);
    now += 2000;
    expect((await acquireLease(store.db, 'run_a', 'B', 1000, c)).acquired).toBe(false);
    now += 4000;
    expect((await acquireLease(store.db, 'run_a', 'B', 1000, c)).acquired).toBe(true);
    expect(await renewLease(store.db, 'run_a', 'A', 5000, c)).toBe(false);
    expect(await releaseLease(store.db, 'run_a', 'A')).toBe(false);
    expect(await releaseLease(store.db, 'run_a', 'B')).toBe(true);
    expect((await acquireLease(store.db, 'run_a', 'C', 1000, c)).acquired).toBe(true);
    now += 5000;
    expect(await expireLeases(store.db, c)).toBe(1);
  });

  it('withLease fails fast with lease_held and runs nothing', async () => {
    await createRun(store.db, newRun('run_a'));
    await acquireLease(store.db, 'run_a', 'other', 60_000);
    let ran = false;
    await expect(withLease(store.db, 'run_a', 'me', 60_000, async () => { ran = true; })).rejects.toMatchObject({ code: 'lease_held' });
    expect(ran).toBe(false);
  });

  it('a database written by a newer schema is refused and left unchanged', async () => {
    await store.db.insertInto('kysely_migration' as any).values({ name: '29990101T000000-future', timestamp: new Date().toISOString() } as any).execute();
    await store.close();
    await expect(openStore(tdb.location)).rejects.toMatchObject({ code: 'schema_too_new' });
    store = await openStore(tdb.location, { migrate: false });
    const rows = await store.db.selectFrom('kysely_migration' as any).select('name' as any).execute();
    expect(rows).toHaveLength(MIGRATION_COUNT + 1);
  });
});

describe('store edge cases', () => {
  it('a file that is not SQLite is refused with not_a_database and left intact', async () => {
    const path = join(tempDir(), 'notes.db');
    writeFileSync(path, 'this is not a database, just text that is long enough to have a header '.repeat(10));
    const before = (await import('node:fs')).readFileSync(path, 'utf8');
    const error = await openStore({ kind: 'sqlite', path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('not_a_database');
    expect((error as StoreError).message).toContain(path);
    expect((await import('node:fs')).readFileSync(path, 'utf8')).toBe(before);
  });

  it('an unreachable PostgreSQL URL gives database_unreachable with the password redacted', async () => {
    const error = (await openStore({ kind: 'postgres', url: 'postgres://u:secretpw@127.0.0.1:9/agentpr' }).catch((e: unknown) => e)) as StoreError;
    expect(error.code).toBe('database_unreachable');
    expect(error.message).not.toContain('secretpw');
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('boundLog never splits a UTF-8 character', () => {
    const text = 'é'.repeat(40_000);
    const out = boundLog(text, 1001);
    expect(out).not.toContain('\uFFFD');
  });
});

describe('read-only SQLite fast path', () => {
  it('MIGRATION_NAMES lists every migration in order', async () => {
    const { MIGRATION_NAMES } = await import('../migrations/names.js');
    const { migrations } = await import('../migrations/index.js');
    expect([...MIGRATION_NAMES]).toEqual(Object.keys(migrations('sqlite')).sort());
  });

  it('openSqliteReader answers like the kysely queries and refuses a newer schema', async () => {
    const { openSqliteReader } = await import('../sqlite-reader.js');
    const tdb = await freshDatabase('sqlite');
    const path = (tdb.location as { path: string }).path;
    expect(openSqliteReader(path)).toBeUndefined();
    const store = await openStore(tdb.location);
    await createRun(store.db, newRun('run_r'));
    await applyEvent(store.db, 'run_r', { event: { type: 'command.pause' } });
    const reader = openSqliteReader(path)!;
    expect(reader.listRuns(5)).toEqual(await listRuns(store.db, { limit: 5 }));
    expect(reader.getRun('run_r')).toEqual(await getRun(store.db, 'run_r'));
    expect(reader.getRun('nope')).toBeUndefined();
    reader.close();
    await store.db.insertInto('kysely_migration' as any).values({ name: '29990101T000000-future', timestamp: 'x' } as any).execute();
    expect(() => openSqliteReader(path)).toThrow(/newer agentpr/);
    await store.close();
  });
});
