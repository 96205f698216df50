import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getRun, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, webhookExample, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { approveOpenPr } from '../../pr-gate/approve-open-pr.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { syncGithub, syncGithubReport } from '../sync-github.js';
import { deliverWebhook, pushedRun, pushFix, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';

let tdb: TestDatabase;
let app: TestApp;
let stub: GitHubStub;
let github: GitHubClient;
let run: PushedRun;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  stub = await startGitHubStub({ token: 'life-token' });
  github = createOctokitClient({ token: 'life-token', baseUrl: stub.url, throttle: false, retries: 0 });
  app = await testApp(tdb.location, 'operator', { github });
  run = await pushedRun(app.ctx, { owner: 'Mem0AI', repo: 'Mem0' });
  stub.addRepo('mem0ai', 'mem0', { defaultBranch: 'main' });
  stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

/** A real example payload re-aimed at our repository (GitHub spells it in lower case; runs match case-insensitively). */
function aim<T extends Record<string, any>>(payload: T): T {
  payload.repository.name = 'mem0';
  payload.repository.full_name = 'mem0ai/mem0';
  payload.repository.owner.login = 'mem0ai';
  return payload;
}

function checkRun(prNumber: number, sha: string, conclusion: string, suiteId: number) {
  const p = aim(webhookExample('check_run', 'completed', (e) => e.check_run.conclusion === 'failure'));
  p.check_run.conclusion = conclusion;
  p.check_run.head_sha = sha;
  p.check_run.check_suite.id = suiteId;
  p.check_run.check_suite.head_sha = sha;
  p.check_run.pull_requests[0].number = prNumber;
  p.check_run.pull_requests[0].head.sha = sha;
  return p;
}

function pullRequest(action: string, prNumber: number, sha: string, merged = false) {
  const p = aim(webhookExample('pull_request', action));
  p.number = prNumber;
  p.pull_request.number = prNumber;
  p.pull_request.head.sha = sha;
  p.pull_request.merged = merged;
  return p;
}

function review(prNumber: number, sha: string, state: string, id: number) {
  const p = aim(webhookExample('pull_request_review', 'submitted'));
  p.pull_request.number = prNumber;
  p.pull_request.head.sha = sha;
  p.review.state = state;
  p.review.id = id;
  p.review.commit_id = sha;
  return p;
}

async function stateOf(): Promise<string> {
  return (await getRun(app.ctx.db, run.runId))!.state.current_state;
}

async function openPr(ctx: AppContext): Promise<number> {
  const req = await requestOpenPr(ctx, { runId: run.runId, title: 'Integrate mem0', body: 'Adds the integration.' });
  const approved = await approveOpenPr(ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
  if (approved.kind !== 'opened') throw new Error('expected a created PR');
  return approved.pr_number;
}

describe('a whole PR life against the GitHub stub', () => {
  it('request → approve → CI fails → ITERATING → fix pushed → CI passes → approved → merged → DONE, by webhook', async () => {
    const webhookCtx: AppContext = { ...app.ctx, actor: 'webhook' };
    const deliver = async (event: string, payload: unknown) => {
      const r = await deliverWebhook(webhookCtx, github, event, payload);
      if (r.kind !== 'applied' && r.kind !== 'ignored') throw new Error(`delivery ${r.kind}`);
      return r;
    };
    {
      const pr = await openPr(app.ctx);
      expect(stub.getPull('mem0ai', 'mem0', pr)).toMatchObject({ head: `forker:${run.branch}`, base: 'main', state: 'open' });
      expect(await stateOf()).toBe('CI_WAIT');

      stub.addCheckRun('mem0ai', 'mem0', run.headSha, { name: 'tests', conclusion: 'failure' });
      await deliver('check_run', checkRun(pr, run.headSha, 'failure', 501));
      expect(await stateOf()).toBe('ITERATING');

      const fixed = await pushFix(app.ctx, run, 'the fix\n');
      stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: fixed });
      expect(await stateOf()).toBe('PUSHED');
      await deliver('pull_request', pullRequest('synchronize', pr, fixed));
      expect(await stateOf()).toBe('CI_WAIT');

      stub.addCheckRun('mem0ai', 'mem0', fixed, { name: 'lint', conclusion: 'success' });
      const tests = stub.addCheckRun('mem0ai', 'mem0', fixed, { name: 'tests', status: 'in_progress' });
      await deliver('check_run', checkRun(pr, fixed, 'success', 502));
      expect(await stateOf()).toBe('CI_WAIT');
      stub.updateCheckRun(tests.id, { status: 'completed', conclusion: 'success' });
      await deliver('check_run', checkRun(pr, fixed, 'success', 503));
      expect(await stateOf()).toBe('REVIEW_WAIT');

      const approval = stub.addReview('mem0ai', 'mem0', pr, { state: 'APPROVED' });
      const reviewed = await deliver('pull_request_review', review(pr, fixed, 'approved', approval.id));
      expect(reviewed.results[0]).toMatchObject({ applied: false, reason: 'no_transition' });
      expect(await stateOf()).toBe('REVIEW_WAIT');

      stub.merge('mem0ai', 'mem0', pr);
      await deliver('pull_request', pullRequest('closed', pr, fixed, true));
      expect(await stateOf()).toBe('DONE');
    }
    const byWebhook = (await listEvents(app.ctx.db, run.runId, { limit: 100 })).reverse().filter((e) => e.actor === 'webhook');
    expect(byWebhook.filter((e) => e.applied === 1).map((e) => e.event_type)).toEqual([
      'github.check.completed',
      'command.pr.linked',
      'github.check.completed',
      'github.pull_request.closed',
    ]);
    expect(byWebhook.filter((e) => e.applied === 0).map((e) => e.reason)).toEqual(['awaiting_rollup', 'awaiting_rollup', 'no_transition']);
  });

  it('a PUSHED run whose synchronize delivery was missed: a failing check of the pushed head links the PR first, then moves the run to ITERATING', async () => {
    const webhookCtx: AppContext = { ...app.ctx, actor: 'webhook' };
    const pr = await openPr(app.ctx);
    stub.addCheckRun('mem0ai', 'mem0', run.headSha, { name: 'tests', conclusion: 'failure' });
    await deliverWebhook(webhookCtx, github, 'check_run', checkRun(pr, run.headSha, 'failure', 601));
    expect(await stateOf()).toBe('ITERATING');

    const fixed = await pushFix(app.ctx, run, 'the fix\n');
    expect(await stateOf()).toBe('PUSHED');
    // A check of an older head does not link the PR to the new one.
    await deliverWebhook(webhookCtx, github, 'check_run', checkRun(pr, 'f'.repeat(40), 'failure', 602));
    expect(await stateOf()).toBe('PUSHED');
    stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: fixed });
    stub.addCheckRun('mem0ai', 'mem0', fixed, { name: 'tests', conclusion: 'failure' });
    const delivered = await deliverWebhook(webhookCtx, github, 'check_run', checkRun(pr, fixed, 'failure', 603));
    expect(delivered).toMatchObject({ kind: 'applied', results: [expect.objectContaining({ event: 'github.check.completed', state: 'ITERATING' })] });
    expect(await stateOf()).toBe('ITERATING');
    const latest = (await listEvents(app.ctx.db, run.runId, { limit: 3 })).reverse().map((e) => [e.event_type, e.applied, e.reason]);
    expect(latest).toEqual([['github.check.completed', 0, 'stale_head_sha'], ['command.pr.linked', 1, null], ['github.check.completed', 1, null]]);
  });

  it('the same life by sync-github polling alone, with nothing applied twice', async () => {
    const syncCtx: AppContext = { ...app.ctx, actor: 'sync' };
    const sync = async () => {
      const result = await syncGithub(syncCtx, {});
      expect(result.kind).toBe('all_synced');
      return syncGithubReport(result);
    };
    const pr = await openPr(app.ctx);
    expect(await stateOf()).toBe('CI_WAIT');

    stub.addCheckRun('mem0ai', 'mem0', run.headSha, { name: 'tests', status: 'in_progress' });
    expect((await sync()).results[0]!.decision).toMatchObject({ pr_state: 'OPEN', check_conclusion: null, check_summary: { pending: 1 } });
    expect(await stateOf()).toBe('CI_WAIT');
    stub.addCheckRun('mem0ai', 'mem0', run.headSha, { name: 'lint', conclusion: 'failure' });
    await sync();
    expect(await stateOf()).toBe('ITERATING');

    const fixed = await pushFix(app.ctx, run, 'the fix\n');
    stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: fixed });
    await sync();
    expect(await stateOf()).toBe('CI_WAIT');

    stub.addCheckRun('mem0ai', 'mem0', fixed, { name: 'tests', conclusion: 'success' });
    stub.addStatus('mem0ai', 'mem0', fixed, { context: 'ci/legacy', state: 'success' });
    await sync();
    expect(await stateOf()).toBe('REVIEW_WAIT');
    const again = await sync();
    expect(again.results[0]!.events).toEqual([expect.objectContaining({ duplicate: true, event_type: 'github.check.completed' })]);

    stub.addReview('mem0ai', 'mem0', pr, { state: 'APPROVED' });
    await sync();
    expect(await stateOf()).toBe('REVIEW_WAIT');

    stub.merge('mem0ai', 'mem0', pr);
    await sync();
    expect(await stateOf()).toBe('DONE');
    expect((await sync()).scanned).toBe(0);
    const bySync = (await listEvents(app.ctx.db, run.runId, { limit: 100 })).filter((e) => e.actor === 'sync');
    expect(new Set(bySync.map((e) => e.idempotency_key)).size).toBe(bySync.length);
    expect(bySync.filter((e) => e.applied === 1).map((e) => e.event_type).reverse()).toEqual([
      'github.check.completed',
      'command.pr.linked',
      'github.check.completed',
      'github.pull_request.closed',
    ]);
  });
});
