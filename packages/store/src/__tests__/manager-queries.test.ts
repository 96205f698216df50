import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import {
  addArtifact,
  applyEvent,
  candidateRankNow,
  createRun,
  insertPrRequest,
  lastHumanCommandAt,
  linkedOpenPr,
  managerCandidateRuns,
  managerCandidates,
  managerRetriesSince,
  openStore,
  prRequestForHead,
  recordAttempt,
  runActivityMarks,
  saveManagerRun,
  setWorkspaceHost,
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

async function toPushed(store: OpenDatabase, runId: string, ms: number, headSha = 'h'): Promise<void> {
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: 'c' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: headSha },
  ] as const) await applyEvent(store.db, runId, { event: { ...event, actor: 'manager' } }, at(ms));
}

async function toCiWait(store: OpenDatabase, runId: string, ms: number): Promise<void> {
  await toPushed(store, runId, ms);
  await applyEvent(store.db, runId, { event: { type: 'command.pr.linked', pr_number: 5, actor: 'manager' } }, at(ms));
}

async function request(store: OpenDatabase, runId: string, headSha: string, ms: number) {
  return insertPrRequest(store.db, {
    run_id: runId, request_file: `/r/${runId}_${ms}.json`, title: 't', body: 'b', base: 'main', head: 'b', head_owner: 'me', head_sha: headSha, draft: 0,
    confirm_token_sha256: 'x', created_at: iso(ms), expires_at: iso(ms + 1_800_000), consumed_at: null,
  });
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

  it('candidates: a PUSHED run without a PR until a PR request is made for its latest push; with a PR when its sync is due', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_pushed', 0);
      await toPushed(store, 'run_pushed', 100, 'aaa');
      await run(store, 'run_pr', 50);
      await toPushed(store, 'run_pr', 150);
      // A PR linked while the run was already past PUSHED, then a re-push: PUSHED with a PR.
      await store.db.updateTable('runs').set({ pr_number: 7 }).where('run_id', '=', 'run_pr').execute();
      await saveManagerRun(store.db, { run_id: 'run_pr', last_action: 'sync_github', last_fingerprint: 'f', consecutive_failures: 0, next_attempt_at: null, last_sync_at: iso(5000), updated_at: iso(5000) });
      const candidates = (ms: number, cutoff: number) => managerCandidateRuns(store.db, { now: iso(ms), syncCutoff: iso(cutoff), limit: 10 });

      expect(await candidates(10_000, 4000)).toEqual(['run_pushed']);
      expect(await candidates(10_000, 5000)).toEqual(['run_pushed', 'run_pr']);
      await request(store, 'run_pushed', 'aaa', 200);
      expect(await candidates(10_000, 4000)).toEqual([]);
      // A new push (a CI-fix round) asks for a new request.
      for (const event of [{ type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW' }, { type: 'command.retry', target_state: 'ITERATING' }, { type: 'command.local.validation.passed' }] as const) {
        await applyEvent(store.db, 'run_pushed', { event: { ...event, actor: 'manager' } }, at(300));
      }
      await applyEvent(store.db, 'run_pushed', { event: { type: 'worker.push.completed', branch: 'b', head_sha: 'bbb', actor: 'worker' } }, at(400));
      expect(await candidates(10_000, 4000)).toEqual(['run_pushed']);
      await request(store, 'run_pushed', 'bbb', 500);
      expect(await candidates(10_000, 4000)).toEqual([]);
    });
  });

  it('candidates with a host id: its own runs first, then unplaced, then other hosts\' (a stale one with the unplaced); none is left out', async () => {
    await withStore(kind, async (store) => {
      for (const [runId, ms] of [['run_b_old', 0], ['run_none', 100], ['run_a', 200], ['run_b', 300], ['run_a2', 400]] as const) await run(store, runId, ms);
      await setWorkspaceHost(store.db, 'run_a', 'host-a');
      await setWorkspaceHost(store.db, 'run_a2', 'host-a');
      await setWorkspaceHost(store.db, 'run_b', 'host-b');
      await setWorkspaceHost(store.db, 'run_b_old', 'host-b');
      const filter = { now: iso(10_000), syncCutoff: iso(4000), limit: 10 };

      expect(await managerCandidateRuns(store.db, filter)).toEqual(['run_b_old', 'run_none', 'run_a', 'run_b', 'run_a2']);
      expect(await managerCandidateRuns(store.db, { ...filter, hostId: 'host-a' })).toEqual(['run_a', 'run_a2', 'run_none', 'run_b_old', 'run_b']);
      expect(await managerCandidateRuns(store.db, { ...filter, hostId: 'host-b' })).toEqual(['run_b_old', 'run_b', 'run_none', 'run_a', 'run_a2']);
      expect(await managerCandidateRuns(store.db, { ...filter, hostId: 'host-c', limit: 2 })).toEqual(['run_none', 'run_b_old']);
      // host-b's oldest run has not moved since before the cutoff: it ranks with the unplaced one, by age.
      expect(await managerCandidates(store.db, { ...filter, hostId: 'host-a', foreignStaleCutoff: iso(50) })).toEqual([
        { runId: 'run_a', rank: 0 },
        { runId: 'run_a2', rank: 0 },
        { runId: 'run_b_old', rank: 1 },
        { runId: 'run_none', rank: 1 },
        { runId: 'run_b', rank: 2 },
      ]);
      expect((await managerCandidates(store.db, filter)).map((c) => c.rank)).toEqual([1, 1, 1, 1, 1]);
      // One run's rank read again later, by the same rule.
      const rankNow = (runId: string, hostId?: string) => candidateRankNow(store.db, runId, { hostId, foreignStaleCutoff: iso(50) });
      expect(await Promise.all([rankNow('run_a', 'host-a'), rankNow('run_none', 'host-a'), rankNow('run_b_old', 'host-a'), rankNow('run_b', 'host-a'), rankNow('run_b')])).toEqual([0, 1, 1, 2, 1]);
      expect(await rankNow('run_unknown', 'host-a')).toBe(1);
      // The order moves with the workspace: once host-a holds run_b, run_b is one of host-a's.
      await setWorkspaceHost(store.db, 'run_b', 'host-a');
      expect(await managerCandidateRuns(store.db, { ...filter, hostId: 'host-a' })).toEqual(['run_a', 'run_b', 'run_a2', 'run_none', 'run_b_old']);
    });
  });

  it('linkedOpenPr is the run\'s PR until a close of it is recorded; prRequestForHead finds the newest request of that head only', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_p', 0);
      expect(await linkedOpenPr(store.db, 'run_p')).toBeNull();
      await toCiWait(store, 'run_p', 10);
      expect(await linkedOpenPr(store.db, 'run_p')).toBe(5);
      await applyEvent(store.db, 'run_p', { event: { type: 'github.pull_request.closed', pr_number: 4, merged: false, actor: 'sync' }, storeOnly: { reason: 'other_pr' } }, at(20));
      expect(await linkedOpenPr(store.db, 'run_p')).toBe(5);
      await applyEvent(store.db, 'run_p', { event: { type: 'github.pull_request.closed', pr_number: 5, merged: false, actor: 'sync' } }, at(30));
      expect(await linkedOpenPr(store.db, 'run_p')).toBeNull();

      expect(await prRequestForHead(store.db, 'run_p', 'aaa')).toBeUndefined();
      const first = await request(store, 'run_p', 'aaa', 40);
      await request(store, 'run_p', 'bbb', 50);
      const again = await request(store, 'run_p', 'aaa', 60);
      expect(await prRequestForHead(store.db, 'run_p', 'AAA')).toMatchObject({ id: again.id, head_sha: 'aaa', consumed_at: null, expires_at: iso(60 + 1_800_000) });
      expect(again.id).toBeGreaterThan(first.id);
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
