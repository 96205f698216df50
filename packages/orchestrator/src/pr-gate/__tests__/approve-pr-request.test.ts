import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getRun, latestPrRequest, listAuditRecords } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { approveOpenPr } from '../approve-open-pr.js';
import { approvePrRequest, rejectPrRequest } from '../approve-pr-request.js';
import { listPendingPrs } from '../list-pending-prs.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { pushedRun, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';

let stub: GitHubStub;
let tdb: TestDatabase;
let app: TestApp;
let run: PushedRun;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  stub = await startGitHubStub({ token: 'stub-token' });
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'operator', { github: createOctokitClient({ token: 'stub-token', baseUrl: stub.url, throttle: false, retries: 0 }) });
  run = await pushedRun(app.ctx);
  stub.addRepo(run.owner, run.repo, { defaultBranch: 'main' });
  stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

const request = () => requestOpenPr(app.ctx, { runId: run.runId, title: 'Add widgets support', body: 'This adds widgets.' });
const approveWithToken = (req: { request_file: string; confirm_token: string }) =>
  approveOpenPr(app.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });

describe('approving and rejecting a PR request without a token', () => {
  it('requestOpenPr again re-issues: it names the open request it replaced, whose token then stops working', async () => {
    const first = await request();
    expect(first.replaced).toBeNull();
    app.clock.advance(31 * 60_000);
    expect((await listPendingPrs(app.ctx, { limit: 10 })).requests.map((r) => [r.run_id, r.status])).toEqual([[run.runId, 'expired']]);
    const second = await request();
    expect(second.replaced).toEqual({ request_file: first.request_file, expires_at: first.expires_at });
    expect(second.request_id).toBeGreaterThan(first.request_id);
    await expect(approveWithToken(first)).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining('was replaced by the newer request'),
    });
    expect((await listPendingPrs(app.ctx, { limit: 10 })).requests.map((r) => [r.request_id, r.status])).toEqual([[second.request_id, 'open']]);
  });

  it('approvePrRequest opens the PR once, bound to the head it was shown; another head or a second approval is refused, an unknown request is not found', async () => {
    const req = await request();
    await expect(approvePrRequest(app.ctx, { requestId: req.request_id, headSha: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'refused', details: { reason: 'stale' } });
    const opened = await approvePrRequest(app.ctx, { requestId: req.request_id, headSha: run.headSha });
    expect(opened).toMatchObject({ kind: 'opened', pr_number: 1, state: 'CI_WAIT' });
    await expect(approvePrRequest(app.ctx, { requestId: req.request_id, headSha: run.headSha })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/^already approved: PR #1 is open for Acme\/Widgets/),
      details: { reason: 'used' },
    });
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(1);
    await expect(approvePrRequest(app.ctx, { requestId: 999, headSha: run.headSha })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('rejectPrRequest closes the request (audited): neither the card nor the CLI token opens it, and the run stays PUSHED', async () => {
    const req = await request();
    expect(await rejectPrRequest({ ...app.ctx, actor: 'bot' }, { requestId: req.request_id, headSha: run.headSha })).toEqual({
      kind: 'rejected',
      run_id: run.runId,
      request_id: req.request_id,
      head_sha: run.headSha,
    });
    expect((await listAuditRecords(app.ctx.db, { limit: 5 })).map((r) => [r.kind, r.actor])).toContainEqual(['pr_request_rejected', 'bot']);
    expect((await latestPrRequest(app.ctx.db, run.runId))?.consumed_at).not.toBeNull();
    await expect(approvePrRequest(app.ctx, { requestId: req.request_id, headSha: run.headSha })).rejects.toMatchObject({ details: { reason: 'used' } });
    await expect(approveWithToken(req)).rejects.toMatchObject({
      message: expect.stringContaining('already used (approved or rejected)'),
    });
    expect((await getRun(app.ctx.db, run.runId))?.state.current_state).toBe('PUSHED');
    expect(stub.listPulls(run.owner, run.repo)).toEqual([]);
    expect((await listPendingPrs(app.ctx, { limit: 10 })).requests).toEqual([]);
  });
});
