import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { applyEvent, getRun, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, webhookExample, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { applyCommand } from '../../runs/apply-command.js';
import { showRun } from '../../runs/queries.js';
import { approveOpenPr } from '../../pr-gate/approve-open-pr.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { syncGithub, syncGithubReport } from '../sync-github.js';
import { deliverWebhook, pushedRun, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';

// Issue 13: a run an operator PAUSED, or one the manager escalated to NEEDS_HUMAN_REVIEW, is moved only by a
// human command. GitHub facts arriving by webhook or sync are stored as held, and resume acts on them.

let tdb: TestDatabase;
let app: TestApp;
let stub: GitHubStub;
let github: GitHubClient;
let run: PushedRun;
let pr: number;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  stub = await startGitHubStub({ token: 'hold-token' });
  github = createOctokitClient({ token: 'hold-token', baseUrl: stub.url, throttle: false, retries: 0 });
  app = await testApp(tdb.location, 'operator', { github });
  run = await pushedRun(app.ctx, { owner: 'Mem0AI', repo: 'Mem0' });
  stub.addRepo('mem0ai', 'mem0', { defaultBranch: 'main' });
  stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
  const req = await requestOpenPr(app.ctx, { runId: run.runId, title: 'Integrate mem0', body: 'Adds the integration.' });
  const approved = await approveOpenPr(app.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
  if (approved.kind !== 'opened') throw new Error('expected a created PR');
  pr = approved.pr_number;
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

function aim<T extends Record<string, any>>(payload: T): T {
  payload.repository.name = 'mem0';
  payload.repository.full_name = 'mem0ai/mem0';
  payload.repository.owner.login = 'mem0ai';
  return payload;
}

function failingCheck(sha: string) {
  const p = aim(webhookExample('check_run', 'completed', (e) => e.check_run.conclusion === 'failure'));
  p.check_run.head_sha = sha;
  p.check_run.check_suite.id = 901;
  p.check_run.check_suite.head_sha = sha;
  p.check_run.pull_requests[0].number = pr;
  p.check_run.pull_requests[0].head.sha = sha;
  return p;
}

function changesRequested(sha: string, id: number) {
  const p = aim(webhookExample('pull_request_review', 'submitted'));
  p.pull_request.number = pr;
  p.pull_request.head.sha = sha;
  p.review.state = 'changes_requested';
  p.review.id = id;
  p.review.commit_id = sha;
  return p;
}

async function current() {
  return (await getRun(app.ctx.db, run.runId))!.state;
}

async function hold(kind: 'PAUSED' | 'NEEDS_HUMAN_REVIEW'): Promise<void> {
  expect((await current()).current_state).toBe('CI_WAIT');
  if (kind === 'PAUSED') await applyCommand(app.ctx, run.runId, { command: 'pause' });
  else await applyEvent(app.ctx.db, run.runId, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: 'manager:retry budget exhausted' } }, app.clock);
  expect((await current()).current_state).toBe(kind);
}

/** What a human does next: resume a PAUSED run; pause-then-resume an escalated one (the held facts follow it). */
async function humanResumes(kind: 'PAUSED' | 'NEEDS_HUMAN_REVIEW'): Promise<string> {
  if (kind === 'NEEDS_HUMAN_REVIEW') await applyCommand(app.ctx, run.runId, { command: 'pause' });
  const { result } = await applyCommand(app.ctx, run.runId, { command: 'resume' });
  return String(result.state);
}

describe.each(['PAUSED', 'NEEDS_HUMAN_REVIEW'] as const)('a %s run and GitHub events', (kind) => {
  it(`keeps ${kind} through a failing check and a changes-requested review by webhook; resume then goes to ITERATING`, async () => {
    await hold(kind);
    for (const [event, payload] of [['check_run', failingCheck(run.headSha)], ['pull_request_review', changesRequested(run.headSha, 7001)]] as const) {
      const r = await deliverWebhook({ ...app.ctx, actor: 'webhook' }, github, event, payload);
      expect(r.kind).toBe('applied');
      expect((await current()).current_state).toBe(kind);
    }
    const held = (await listEvents(app.ctx.db, run.runId, { limit: 50 })).filter((e) => e.actor === 'webhook');
    expect(held.map((e) => [e.event_type, e.applied, e.reason])).toEqual([
      ['github.review.submitted', 0, 'held'],
      ['github.check.completed', 0, 'held'],
    ]);
    expect(await showRun(app.ctx, run.runId)).toMatchObject({ state: kind, held_facts: { check: 'failure', review: 'changes_requested' } });
    expect(await humanResumes(kind)).toBe('ITERATING');
  });

  it(`keeps ${kind} through a failing check and a changes-requested review by sync-github; resume then goes to ITERATING`, async () => {
    await hold(kind);
    stub.addCheckRun('mem0ai', 'mem0', run.headSha, { name: 'tests', conclusion: 'failure' });
    stub.addReview('mem0ai', 'mem0', pr, { state: 'CHANGES_REQUESTED' });
    const syncCtx: AppContext = { ...app.ctx, actor: 'sync' };
    const report = syncGithubReport(await syncGithub(syncCtx, {}));
    expect(report).toMatchObject({ ok: true, scanned: 1, synced: 1 });
    expect(report.results[0]!.events).toEqual([
      expect.objectContaining({ event_type: 'github.check.completed', state: kind, applied: false, reason: 'held' }),
      expect.objectContaining({ event_type: 'github.review.submitted', state: kind, applied: false, reason: 'held' }),
    ]);
    expect((await current()).current_state).toBe(kind);
    // A second pass finds the same facts and changes nothing.
    await syncGithub(syncCtx, {});
    expect((await current()).current_state).toBe(kind);
    expect(await humanResumes(kind)).toBe('ITERATING');
  });
});

it('a PAUSED run with no new facts resumes to the stage it was paused from; a merge still ends it', async () => {
  await hold('PAUSED');
  expect(await humanResumes('PAUSED')).toBe('CI_WAIT');
  await applyCommand(app.ctx, run.runId, { command: 'pause' });
  stub.merge('mem0ai', 'mem0', pr);
  await syncGithub({ ...app.ctx, actor: 'sync' }, {});
  expect((await current()).current_state).toBe('DONE');
});
