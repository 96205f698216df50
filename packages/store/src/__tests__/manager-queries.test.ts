import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  addArtifact,
  applyEvent,
  createRun,
  lastHumanCommandAt,
  managerCandidateRuns,
  managerRetriesSince,
  openStore,
  recordAttempt,
  runActivityMarks,
  saveManagerRun,
  type Clock,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number): Clock => () => new Date(T0 + ms);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

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

async function run(store: OpenDatabase, runId: string, ms: number): Promise<void> {
  await createRun(store.db, { runId, owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}` }, at(ms));
}

async function toCiWait(store: OpenDatabase, runId: string, ms: number): Promise<void> {
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: 'c' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: 'h' },
    { type: 'command.pr.linked', pr_number: 5 },
  ] as const) await applyEvent(store.db, runId, { event: { ...event, actor: 'manager' } }, at(ms));
}

describe.each(dialectsUnderTest())('manager queries on %s', (kind) => {
  it('candidates: workable runs oldest first; backoff, human waits and fresh syncs are left out', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_old', 0);
      await run(store, 'run_new', 1000);
      await run(store, 'run_backoff', 500);
      await saveManagerRun(store.db, { run_id: 'run_backoff', last_action: 'run_prepare', last_fingerprint: 'f', consecutive_failures: 1, next_attempt_at: iso(60_000), last_sync_at: null, updated_at: iso(500) });
      await run(store, 'run_paused', 200);
      await applyEvent(store.db, 'run_paused', { event: { type: 'command.pause', actor: 'operator' } }, at(200));
      await run(store, 'run_ci', 300);
      await toCiWait(store, 'run_ci', 300);
      await saveManagerRun(store.db, { run_id: 'run_ci', last_action: 'sync_github', last_fingerprint: 'f', consecutive_failures: 0, next_attempt_at: null, last_sync_at: iso(5000), updated_at: iso(5000) });

      expect(await managerCandidateRuns(store.db, { now: iso(10_000), syncCutoff: iso(4000), limit: 10 })).toEqual(['run_old', 'run_new']);
      // The sync is due and the backoff has passed.
      expect(await managerCandidateRuns(store.db, { now: iso(60_000), syncCutoff: iso(5000), limit: 10 })).toEqual(['run_old', 'run_ci', 'run_backoff', 'run_new']);
      expect(await managerCandidateRuns(store.db, { now: iso(60_000), syncCutoff: iso(5000), limit: 1 })).toEqual(['run_old']);
    });
  });

  it('lastHumanCommandAt ignores the creation and the manager; managerRetriesSince counts the manager retries from then', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_h', 0);
      expect(await lastHumanCommandAt(store.db, 'run_h')).toBe('');
      await applyEvent(store.db, 'run_h', { event: { type: 'command.start.discovery', actor: 'manager' } }, at(100));
      await applyEvent(store.db, 'run_h', { event: { type: 'command.retry', target_state: 'DISCOVERY', actor: 'manager' } }, at(200));
      expect(await managerRetriesSince(store.db, 'run_h', '')).toBe(1);
      await applyEvent(store.db, 'run_h', { event: { type: 'command.pause', actor: 'operator' } }, at(300));
      expect(await lastHumanCommandAt(store.db, 'run_h')).toBe(iso(300));
      expect(await managerRetriesSince(store.db, 'run_h', iso(300))).toBe(0);
    });
  });

  it('runActivityMarks moves with every new event, attempt and artefact', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_a', 0);
      const first = await runActivityMarks(store.db, 'run_a');
      expect(first.eventId).toBeGreaterThan(0);
      expect(first).toMatchObject({ attemptId: 0, artifactId: 0 });
      await recordAttempt(store.db, { runId: 'run_a', step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 1 }, at(1));
      await addArtifact(store.db, { runId: 'run_a', type: 'x', uri: 'y' }, at(2));
      const second = await runActivityMarks(store.db, 'run_a');
      expect(second.eventId).toBe(first.eventId);
      expect(second.attemptId).toBeGreaterThan(0);
      expect(second.artifactId).toBeGreaterThan(0);
      expect(await runActivityMarks(store.db, 'run_none')).toEqual({ eventId: 0, attemptId: 0, artifactId: 0 });
    });
  });
});
