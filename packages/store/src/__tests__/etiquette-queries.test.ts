import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { applyEvent, createRun, insertGateCheck, openAgentPrs, openStore, prOpeningsSince, recentRepoGateChecks, type Clock, type OpenDatabase } from '../index.js';

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

/** A run of `owner/repo` in CI_WAIT with PR `pr` linked (or in PUSHED without a PR when `pr` is null). */
async function runWithPr(store: OpenDatabase, runId: string, owner: string, repo: string, pr: number | null, campaign: string | null = 'example'): Promise<void> {
  await createRun(store.db, { runId, owner, repo, promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign }, at(0));
  for (const event of [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: 'c' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'b', head_sha: 'h' },
  ] as const) await applyEvent(store.db, runId, { event: { ...event, actor: 'manager' } }, at(0));
  if (pr !== null) await applyEvent(store.db, runId, { event: { type: 'command.pr.linked', pr_number: pr, actor: 'manager' } }, at(0));
}

type ActivityPatch = { campaign?: string | null; closed_at?: string | null; merged_at?: string | null };

async function activity(store: OpenDatabase, runId: string, pr: number, openedMs: number, patch: ActivityPatch = {}): Promise<void> {
  await store.db
    .insertInto('pr_activity')
    .values({
      run_id: runId, owner_key: 'o', repo_key: 'r', campaign: 'example', pr_number: pr, pr_url: null, opened_at: iso(openedMs), first_response_at: null,
      last_maintainer_activity_at: null, followup_at: null, followup_comment_id: null, closed_at: null, merged_at: null, stale_closed_at: null,
      rejection_category: null, rejection_evidence: null, checked_at: null, updated_at: iso(openedMs), ...patch,
    })
    .execute();
}

const ids = (rows: Array<{ run_id: string }>) => rows.map((r) => r.run_id);

describe.each(dialectsUnderTest())('etiquette queries on %s', (kind) => {
  it('openAgentPrs: not-ended runs with a PR of the owner or repository (any campaign, any case); closed or merged PRs do not count', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_a', 'o', 'r', 11);
      await runWithPr(store, 'run_b', 'O', 'R', 12, null);
      await runWithPr(store, 'run_other_repo', 'o', 'x', 13, 'other');
      await runWithPr(store, 'run_other_owner', 'p', 'r', 14);
      await runWithPr(store, 'run_no_pr', 'o', 'r', null);
      await runWithPr(store, 'run_merged', 'o', 'r', 15);
      await applyEvent(store.db, 'run_merged', { event: { type: 'github.pull_request.closed', pr_number: 15, merged: true, actor: 'webhook' } }, at(1));
      await runWithPr(store, 'run_closed', 'o', 'r', 16);
      await applyEvent(store.db, 'run_closed', { event: { type: 'github.pull_request.closed', pr_number: 16, merged: false, actor: 'webhook' } }, at(1));
      // Paused when its PR closed: the close is held, and still means the PR is closed.
      await runWithPr(store, 'run_paused', 'o', 'r', 17);
      await applyEvent(store.db, 'run_paused', { event: { type: 'command.pause', actor: 'operator' } }, at(1));
      await applyEvent(store.db, 'run_paused', { event: { type: 'github.pull_request.closed', pr_number: 17, merged: false, actor: 'webhook' } }, at(2));
      // pr_activity knows of the close before any event did.
      await runWithPr(store, 'run_activity_closed', 'o', 'r', 18);
      await activity(store, 'run_activity_closed', 18, 0, { closed_at: iso(5) });
      // A close of an older PR number does not close the run's current PR.
      await runWithPr(store, 'run_new_pr', 'o', 'r', 19);
      await applyEvent(store.db, 'run_new_pr', { event: { type: 'github.pull_request.closed', pr_number: 9, merged: false, actor: 'webhook' } }, at(1));

      expect(await openAgentPrs(store.db, { owner: 'O', repo: 'r' })).toEqual([
        { run_id: 'run_a', owner: 'o', repo: 'r', pr_number: 11, campaign: 'example' },
        { run_id: 'run_b', owner: 'O', repo: 'R', pr_number: 12, campaign: null },
        { run_id: 'run_new_pr', owner: 'o', repo: 'r', pr_number: 19, campaign: 'example' },
      ]);
      expect(ids(await openAgentPrs(store.db, { owner: 'o' }))).toEqual(['run_a', 'run_b', 'run_other_repo', 'run_new_pr']);
      expect(ids(await openAgentPrs(store.db, { owner: 'o', repo: 'r', excludeRunId: 'run_a' }))).toEqual(['run_b', 'run_new_pr']);
      expect(await openAgentPrs(store.db, { owner: 'nobody' })).toEqual([]);
    });
  });

  it('openAgentPrs: a run whose PR was closed unmerged and then re-linked to a new PR counts again', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_1', 'o', 'r', 21);
      await applyEvent(store.db, 'run_1', { event: { type: 'github.pull_request.closed', pr_number: 21, merged: false, actor: 'webhook' } }, at(1));
      expect(await openAgentPrs(store.db, { owner: 'o', repo: 'r' })).toEqual([]);
      await applyEvent(store.db, 'run_1', { event: { type: 'command.retry', target_state: 'PUSHED', actor: 'operator' } }, at(2));
      await applyEvent(store.db, 'run_1', { event: { type: 'command.pr.linked', pr_number: 22, actor: 'operator' } }, at(3));
      expect((await openAgentPrs(store.db, { owner: 'o', repo: 'r' })).map((r) => r.pr_number)).toEqual([22]);
    });
  });

  it('prOpeningsSince: a campaign\'s openings after a time, oldest first; null is the runs without a campaign', async () => {
    await withStore(kind, async (store) => {
      for (const [runId, ms, campaign] of [['run_1', 3000, 'example'], ['run_2', 1000, 'example'], ['run_3', 500, 'example'], ['run_4', 2000, 'other'], ['run_5', 2500, null]] as const) {
        await runWithPr(store, runId, 'o', 'r', null, campaign);
        await activity(store, runId, 1, ms, { campaign });
      }
      expect(await prOpeningsSince(store.db, { campaign: 'example', since: iso(500) })).toEqual([iso(1000), iso(3000)]);
      expect(await prOpeningsSince(store.db, { campaign: null, since: iso(0) })).toEqual([iso(2500)]);
      expect(await prOpeningsSince(store.db, { campaign: 'none', since: iso(0) })).toEqual([]);
    });
  });

  it('recentRepoGateChecks: one gate\'s verdicts for any run of the repository since a time, newest first', async () => {
    await withStore(kind, async (store) => {
      await runWithPr(store, 'run_1', 'o', 'r', null);
      await runWithPr(store, 'run_2', 'O', 'R', null);
      await runWithPr(store, 'run_3', 'o', 'x', null);
      const check = (runId: string, gate: string, ms: number, n: number) =>
        insertGateCheck(store.db, { runId, gate, phase: 'prepare', outcome: 'pass', reasonCode: null, message: 'm', detail: { n }, override: false, actor: null }, at(ms));
      await check('run_1', 'etiquette', 1000, 1);
      await check('run_2', 'etiquette', 2000, 2);
      await check('run_2', 'duplicates', 3000, 3);
      await check('run_3', 'etiquette', 4000, 4);
      await check('run_1', 'etiquette', 100, 0);
      const found = await recentRepoGateChecks(store.db, { owner: 'o', repo: 'r', gate: 'etiquette', since: iso(1000) });
      expect(found.map((f) => [f.run_id, JSON.parse(f.detail_json).n, f.created_at])).toEqual([['run_2', 2, iso(2000)], ['run_1', 1, iso(1000)]]);
      expect(await recentRepoGateChecks(store.db, { owner: 'o', repo: 'r', gate: 'etiquette', since: iso(0), limit: 1 })).toHaveLength(1);
    });
  });
});
