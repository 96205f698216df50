import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getRun, listAttempts, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { syncGithub, syncGithubLoop, syncGithubReport, type SyncGithubInput } from '../sync-github.js';
import { githubPort, runInCiWait, testApp, type TestApp } from '../../__tests__/github-fixtures.js';

const SHA = 'a'.repeat(40);
let tdb: TestDatabase;
let app: TestApp;
let ctx: AppContext;
let stub: GitHubStub;
let github: GitHubClient;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'sync');
  stub = await startGitHubStub({ token: 'tok' });
  github = createOctokitClient({ token: 'tok', baseUrl: stub.url, throttle: false, retries: 0 });
  ctx = { ...app.ctx, github: githubPort(github) };
  stub.addRepo('acme', 'widgets');
  stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'feature', sha: SHA });
  const { pullRequest } = await github.createPullRequest({ owner: 'acme', repo: 'widgets', title: 't', body: 'b', head: 'feature', headOwner: 'forker' });
  expect(pullRequest.number).toBe(1);
  await runInCiWait(ctx, { runId: 'run_sync', owner: 'Acme', repo: 'Widgets', prNumber: 1, sha: SHA });
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

/** One pass, as the report document the CLI prints and writes. */
const sync = async (input: SyncGithubInput) => syncGithubReport(await syncGithub(ctx, input));
const state = async () => (await getRun(ctx.db, 'run_sync'))!.state;
const reports = () => (existsSync(ctx.paths.reportsDir) ? readdirSync(ctx.paths.reportsDir).filter((f) => f.startsWith('github_sync_')) : []);

describe('syncGithub', () => {
  it('syncGithub --dry-run decides but writes no events, attempts or report', async () => {
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'ci', conclusion: 'failure' });
    const before = await listEvents(ctx.db, 'run_sync', { limit: 100 });
    const report = await sync({ dryRun: true });
    expect(report).toMatchObject({ ok: true, dry_run: true, scanned: 1, synced: 1, report_path: null });
    expect(report.results[0]!.events).toEqual([
      { dry_run: true, event_type: 'github.check.completed', idempotency_key: `gh:rollup:1:${SHA}:failure`, payload: { conclusion: 'failure', pr_number: 1, head_sha: SHA, actor: 'sync', failing_checks: ['ci'] } },
    ]);
    expect(await listEvents(ctx.db, 'run_sync', { limit: 100 })).toHaveLength(before.length);
    expect(await listAttempts(ctx.db, 'run_sync', { limit: 5 })).toEqual([]);
    expect(reports()).toEqual([]);
    expect((await state()).current_state).toBe('CI_WAIT');
  });

  it('syncGithub treats an in-progress check as pending: no verdict, no move', async () => {
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'ci', conclusion: 'success' });
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'slow', status: 'queued' });
    const report = await sync({});
    expect(report.results[0]).toMatchObject({ repo: 'Acme/Widgets', state_before: 'CI_WAIT', decision: { check_conclusion: null, check_summary: { total: 2, successes: 1, pending: 1 } }, events: [] });
    expect((await state()).current_state).toBe('CI_WAIT');
    expect(JSON.parse(readFileSync(report.report_path!, 'utf8'))).toMatchObject({ ok: true, scanned: 1, report_path: report.report_path });
    expect((await listAttempts(ctx.db, 'run_sync', { limit: 5, step: 'github_sync' }))[0]).toMatchObject({ exit_code: 0 });
  });

  it('syncGithub applies a changes-requested review once, keyed by the review id', async () => {
    stub.addReview('acme', 'widgets', 1, { state: 'APPROVED' });
    const changes = stub.addReview('acme', 'widgets', 1, { state: 'CHANGES_REQUESTED' });
    await sync({});
    expect((await state()).current_state).toBe('ITERATING');
    const second = await sync({});
    expect(second.results[0]!.events).toEqual([{ duplicate: true, event_type: 'github.review.submitted', run_id: 'run_sync', state: 'ITERATING' }]);
    const keys = (await listEvents(ctx.db, 'run_sync', { limit: 100 })).filter((e) => e.event_type === 'github.review.submitted').map((e) => e.idempotency_key);
    expect(keys).toEqual([`gh:review:${changes.id}`]);
  });

  it('syncGithub moves a run whose PR was closed without merging to NEEDS_HUMAN_REVIEW', async () => {
    stub.closePull('acme', 'widgets', 1);
    const report = await sync({});
    expect(report.results[0]!.decision.pr_state).toBe('CLOSED');
    expect(await state()).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: 'github:pr_closed_unmerged:1' });
  });

  it('syncGithub stores a verdict for a head the run did not push as stale, without moving the run', async () => {
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'feature', sha: 'b'.repeat(40) });
    stub.addCheckRun('acme', 'widgets', 'b'.repeat(40), { name: 'ci', conclusion: 'failure' });
    const report = await sync({});
    expect(report.results[0]!.events[0]).toMatchObject({ applied: false, reason: 'stale_head_sha' });
    expect((await state()).current_state).toBe('CI_WAIT');
  });

  it('syncGithub reports a failing run, keeps going with the others and is not ok', async () => {
    await runInCiWait(ctx, { runId: 'run_gone', owner: 'acme', repo: 'widgets', prNumber: 77, sha: SHA });
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'ci', conclusion: 'failure' });
    const result = await syncGithub(ctx, {});
    expect(result.kind).toBe('some_failed');
    expect(result.runs.map((r) => [r.kind, r.run_id])).toEqual([['synced', 'run_sync'], ['failed', 'run_gone']]);
    const report = syncGithubReport(result);
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([{ run_id: 'run_gone', pr_number: 77, error: expect.stringContaining('not found (404)') }]);
    expect(report.synced).toBe(1);
    expect((await state()).current_state).toBe('ITERATING');
    expect((await listAttempts(ctx.db, 'run_gone', { limit: 5, step: 'github_sync' }))[0]).toMatchObject({ exit_code: 1 });
  });

  it('syncGithub --run-id of a run without a PR scans it and syncs nothing', async () => {
    await app.ctx.db.updateTable('runs').set({ pr_number: null }).where('run_id', '=', 'run_sync').execute();
    expect(await syncGithub(ctx, { runId: 'run_sync' })).toMatchObject({ kind: 'all_synced', runs: [{ kind: 'no_pr', run_id: 'run_sync' }] });
    expect(await sync({ runId: 'run_sync' })).toMatchObject({ ok: true, scanned: 1, synced: 0 });
    await expect(syncGithub(ctx, { runId: 'run_nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('syncGithub without a GitHub token is the one-line config error and reads no run', async () => {
    await expect(syncGithub({ ...ctx, github: githubPort(undefined) }, {})).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('GITHUB_TOKEN or GH_TOKEN') });
    expect(reports()).toEqual([]);
  });

  it('syncGithubLoop runs the given number of passes and counts failed ones', async () => {
    stub.failNext({ method: 'GET', path: /\/pulls\/1$/, status: 404 });
    const seen: boolean[] = [];
    const result = await syncGithubLoop(ctx, {}, { intervalSec: 1, maxLoops: 2, onPass: (p) => seen.push(syncGithubReport(p).ok) });
    expect(result).toEqual({ kind: 'finished', loops: 2, failedLoops: 1 });
    expect(seen).toEqual([false, true]);
  });
});
