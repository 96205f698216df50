import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { getRun, latestArtifact, latestPrRequest, listAttempts, listAuditRecords, listEvents } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { approveOpenPr, approveOpenPrReport } from '../approve-open-pr.js';
import { hashConfirmToken } from '../confirm-token.js';
import { requestOpenPrReport } from '../request-open-pr.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { addDigest, commitAndPush, git, githubPort, pushedRun, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';

let stub: GitHubStub;
let github: GitHubClient;
let tdb: TestDatabase;
let app: TestApp;
let run: PushedRun;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  stub = await startGitHubStub({ token: 'stub-token' });
  github = createOctokitClient({ token: 'stub-token', baseUrl: stub.url, throttle: false, retries: 0 });
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'operator', { github });
  run = await pushedRun(app.ctx);
  stub.addRepo(run.owner, run.repo, { defaultBranch: 'main' });
  stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

const request = (patch: Partial<Parameters<typeof requestOpenPr>[1]> = {}) =>
  requestOpenPr(app.ctx, { runId: run.runId, title: 'Add widgets support', body: 'This adds widgets.', draft: true, ...patch });

const approve = (req: { request_file: string; confirm_token: string }, patch: Partial<Parameters<typeof approveOpenPr>[1]> = {}) =>
  approveOpenPr(app.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true, ...patch });

async function state(): Promise<string> {
  return (await getRun(app.ctx.db, run.runId))!.state.current_state;
}

describe('requestOpenPr', () => {
  it('requestOpenPr binds the request to the pushed head and shows a 128-bit token once, storing only its hash', async () => {
    const req = await request();
    expect(req.confirm_token).toMatch(/^[0-9A-F]{32}$/);
    expect(req.expires_at).toBe('2026-11-23T10:30:00.000Z');
    expect(req.preview).toEqual({ title: 'Add widgets support', body: 'This adds widgets.', base: 'main', head: run.branch, draft: true });
    expect(req.pr_text).toEqual({ title_from: 'flag', body_from: 'flag', repo_template: null });
    expect(req.request_file).toMatch(new RegExp(`/reports/${run.runId}_pr_open_request_20261123T100000000000Z\\.json$`));
    const file = JSON.parse(readFileSync(req.request_file, 'utf8'));
    expect(file).toMatchObject({ run_id: run.runId, head_sha: run.headSha, head_owner: 'forker', base: 'main', confirm_token_sha256: hashConfirmToken(req.confirm_token) });
    expect(readFileSync(req.request_file, 'utf8')).not.toContain(req.confirm_token);
    const row = await latestPrRequest(app.ctx.db, run.runId);
    expect(row).toMatchObject({ head_sha: run.headSha, consumed_at: null, confirm_token_sha256: hashConfirmToken(req.confirm_token) });
    expect(JSON.stringify(row)).not.toContain(req.confirm_token);
    expect((await latestArtifact(app.ctx.db, run.runId, 'pr_open_request'))?.metadata).toEqual({ base: 'main', head: run.branch, head_sha: run.headSha, expires_at: req.expires_at });
    expect(await state()).toBe('PUSHED');
    expect(req.next_command).toContain(`--confirm-token ${req.confirm_token} --confirm`);
    const { kind: _kind, ...document } = req;
    expect(requestOpenPrReport(req)).toEqual({ ok: true, ...document });
  });

  it('requestOpenPr refuses a branch that moved after the push and writes nothing', async () => {
    await git(run.workspace, 'commit', '-q', '--allow-empty', '-m', 'local only');
    await expect(request()).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('not pushed or has moved') });
    expect(await latestPrRequest(app.ctx.db, run.runId)).toBeUndefined();
  });

  it('requestOpenPr refuses a run that is not PUSHED, a blank title, a blank body and two bodies', async () => {
    await expect(request({ title: '  ' })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--title') });
    await expect(request({ bodyFile: '/nonexistent' })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('at most one of --body and --body-file') });
    await expect(request({ body: ' \n ' })).rejects.toMatchObject({ code: 'usage' });
    await approve(await request());
    await expect(request()).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('needs PUSHED') });
  });
});

describe('approveOpenPr', () => {
  it('approveOpenPr opens the fork PR on GitHub, links it and consumes the request', async () => {
    const req = await request();
    const result = await approve(req);
    expect(result).toMatchObject({ kind: 'opened', pr_number: 1, pr_url: `https://github.com/${run.owner}/${run.repo}/pull/1`, state: 'CI_WAIT', dod_gate: { kind: 'passed' }, bypassed: false });
    expect(approveOpenPrReport(result)).toMatchObject({ ok: true, mode: 'created', pr_number: 1, state: 'CI_WAIT', dod_gate: { ok: true, bypassed: false, failed_checks: [] } });
    expect(stub.getPull(run.owner, run.repo, 1)).toMatchObject({ head: `forker:${run.branch}`, base: 'main', draft: true, headSha: run.headSha, title: 'Add widgets support' });
    const found = await getRun(app.ctx.db, run.runId);
    expect(found?.run.pr_number).toBe(1);
    expect((await latestPrRequest(app.ctx.db, run.runId))?.consumed_at).toBe('2026-11-23T10:00:00.000Z');
    expect((await latestArtifact(app.ctx.db, run.runId, 'pr_url'))?.metadata).toEqual({ pr_number: 1 });
    expect((await latestArtifact(app.ctx.db, run.runId, 'pr_open_request'))?.metadata.consumed_at).toBe('2026-11-23T10:00:00.000Z');
    expect((await listAttempts(app.ctx.db, run.runId, { limit: 5, step: 'pr_create' }))[0]).toMatchObject({ exit_code: 0 });
  });

  it('approveOpenPr repeated after success answers already_linked even after expiry; the request is single use', async () => {
    const req = await request();
    await approve(req);
    app.clock.advance(60 * 60_000);
    const again = await approve(req);
    expect(again).toEqual({ kind: 'already_linked', state: 'CI_WAIT', pr_number: 1 });
    expect(approveOpenPrReport(again)).toEqual({ ok: true, already_linked: true, state: 'CI_WAIT', pr_number: 1 });
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(1);
  });

  it('approveOpenPr with a used request on a run that is no longer CI_WAIT refuses as single use', async () => {
    const req = await request();
    await approve(req);
    await app.ctx.db.updateTable('run_states').set({ current_state: 'PUSHED' }).where('run_id', '=', run.runId).execute();
    await expect(approve(req)).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('already used') });
  });

  it('approveOpenPr without --confirm, without a token or with a wrong token refuses and changes nothing', async () => {
    const req = await request();
    await expect(approve(req, { confirm: false })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('--confirm') });
    await expect(approve(req, { confirmToken: undefined })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--confirm-token is required') });
    await expect(approve(req, { confirmToken: '0'.repeat(32) })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('does not match') });
    expect(await approve(req, { confirmToken: ` ${req.confirm_token.toLowerCase()} ` })).toMatchObject({ kind: 'opened' });
  });

  it('approveOpenPr with an expired token refuses and changes nothing; --allow-expired opens the PR', async () => {
    const req = await request();
    app.clock.advance(31 * 60_000);
    await expect(approve(req)).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/expired.*--allow-expired/) });
    expect(await state()).toBe('PUSHED');
    expect((await latestPrRequest(app.ctx.db, run.runId))?.consumed_at).toBeNull();
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(0);
    expect(await approve(req, { allowExpired: true })).toMatchObject({ kind: 'opened', state: 'CI_WAIT' });
  });

  it('approveOpenPr refuses when the fork branch moved after the request and leaves the request unused', async () => {
    const req = await request();
    await commitAndPush(run, 'sneaky change\n');
    await expect(approve(req)).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('moved after the request') });
    expect((await latestPrRequest(app.ctx.db, run.runId))?.consumed_at).toBeNull();
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(0);
  });

  it('approveOpenPr with a failing DoD gate refuses listing the checks; --allow-dod-bypass opens the PR and is audited', async () => {
    const req = await request();
    await addDigest(app.ctx, run.runId, 'not-the-tree', { classification: { grade: 'RETRYABLE', reason_code: 'test_command_failed' }, preflight: { ok: null, skipped: true } });
    const error = await approve(req).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'gate_failed', details: { dod_gate: { ok: false, failed_checks: expect.arrayContaining([expect.objectContaining({ code: 'digest_stale' })]) } } });
    expect((error as Error).message).toContain('runtime_not_pass: classification grade=RETRYABLE; runtime_not_runtime_success: classification reason_code=test_command_failed; preflight_not_ok: preflight was skipped; digest_stale');
    expect((error as Error).message).toContain('--allow-dod-bypass');
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(0);
    const bypassed = await approve(req, { allowDodBypass: true });
    expect(bypassed).toMatchObject({ kind: 'opened', dod_gate: { kind: 'failed' }, bypassed: true });
    expect(approveOpenPrReport(bypassed)).toMatchObject({ ok: true, dod_gate: { ok: false, bypassed: true } });
    const [audit] = await listAuditRecords(app.ctx.db, { limit: 5, runId: run.runId });
    expect(audit).toMatchObject({ kind: 'dod_bypass', actor: 'operator' });
    expect(JSON.parse(audit!.detail_json).failed_checks.map((c: { code: string }) => c.code)).toContain('digest_stale');
  });

  it('approveOpenPr accepts an allowlisted PASS and fails a digest that does not describe the pushed tree', async () => {
    // Two PRs in one repository: the default cap of one open agent PR per repository would hold the second.
    writeFileSync(app.ctx.paths.policyFile, JSON.stringify({ campaign_defaults: { etiquette: { max_open_prs_per_repo: 0 } } }));
    const req = await request();
    const tree = await git(run.workspace, 'rev-parse', 'HEAD^{tree}');
    await addDigest(app.ctx, run.runId, tree, { classification: { grade: 'PASS', reason_code: 'runtime_success_allowlisted_test_failures' } });
    const stale = await approve(req, { confirmToken: req.confirm_token }).then(
      () => 'created',
      (e: Error) => e.message,
    );
    expect(stale).toBe('created');
    const other = await pushedRun(app.ctx, { owner: run.owner, repo: run.repo });
    stub.setBranchHead({ owner: other.owner, repo: other.repo, headOwner: other.forkOwner, branch: other.branch, sha: other.headSha });
    await addDigest(app.ctx, other.runId, 'f'.repeat(40));
    const req2 = await requestOpenPr(app.ctx, { runId: other.runId, title: 't', body: 'b' });
    const approveOther = approveOpenPr(app.ctx, { runId: other.runId, requestFile: req2.request_file, confirmToken: req2.confirm_token, confirm: true });
    await expect(approveOther).rejects.toMatchObject({
      code: 'gate_failed',
      message: expect.stringContaining('digest_stale'),
    });
  });

  it('approveOpenPr whose PR creation fails moves the run to NEEDS_HUMAN_REVIEW with the reason and records the attempt', async () => {
    const req = await request();
    stub.failNext({ method: 'POST', path: /\/pulls$/, status: 422, message: 'Validation Failed: base branch does not exist' });
    await expect(approve(req)).rejects.toMatchObject({ code: 'external_failed', details: { state: 'NEEDS_HUMAN_REVIEW' } });
    const found = await getRun(app.ctx.db, run.runId);
    expect(found?.state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: expect.stringMatching(/^pr_create:pr_create_failed:/) });
    expect((await listAttempts(app.ctx.db, run.runId, { limit: 5, step: 'pr_create' }))[0]).toMatchObject({ exit_code: 1 });
  });

  it('approveOpenPr without a GitHub token refuses after every check with the config hint and leaves the request unused', async () => {
    const req = await request();
    const noToken = { ...app.ctx, github: githubPort(undefined) };
    await expect(approveOpenPr(noToken, { runId: run.runId, requestFile: req.request_file, confirmToken: '0'.repeat(32), confirm: true })).rejects.toMatchObject({ code: 'refused' });
    const approval = approveOpenPr(noToken, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
    await expect(approval).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('GITHUB_TOKEN or GH_TOKEN'),
    });
    expect((await latestPrRequest(app.ctx.db, run.runId))?.consumed_at).toBeNull();
    expect(await state()).toBe('PUSHED');
  });

  it('approveOpenPr of an incomplete request file lists what is missing', async () => {
    const req = await request();
    const content = JSON.parse(readFileSync(req.request_file, 'utf8'));
    delete content.head_sha;
    delete content.title;
    writeFileSync(req.request_file, JSON.stringify(content));
    await expect(approve(req)).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/title: .*head_sha: /) });
  });

  it('approveOpenPr of a request made on another host (its file is there, not here) approves the stored request; an unknown one is not found', async () => {
    const req = await request();
    rmSync(req.request_file);
    await expect(approve(req, { confirmToken: 'WRONG' })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/confirm token does not match/) });
    const result = await approve(req);
    expect(result).toMatchObject({ kind: 'opened', pr_number: 1, state: 'CI_WAIT' });
    expect(stub.getPull(run.owner, run.repo, 1)).toMatchObject({ title: 'Add widgets support', headSha: run.headSha });
    const unknown = { request_file: `${req.request_file}.elsewhere`, confirm_token: req.confirm_token };
    await expect(approve(unknown)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/^request file not found: /) });
  });

  it('two concurrent approvals of one request open one PR', async () => {
    const req = await request();
    const results = await Promise.allSettled([approve(req), approve(req)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(stub.listPulls(run.owner, run.repo)).toHaveLength(1);
    const linked = (await listEvents(app.ctx.db, run.runId, { limit: 50 })).filter((e) => e.event_type === 'command.pr.linked');
    expect(linked).toHaveLength(1);
  });
});

describe('PR gate hardening (issue 13)', () => {
  it('approveOpenPr refuses an older request once a newer one is made, and the newer one still opens the PR', async () => {
    const older = await request();
    const newer = await request({ title: 'Add widgets support, take two' });
    await expect(approve(older)).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining(`replaced by the newer request ${newer.request_file}`) });
    expect(stub.listPulls(run.owner, run.repo)).toEqual([]);
    expect(await state()).toBe('PUSHED');
    const opened = await approve(newer);
    expect(opened).toMatchObject({ kind: 'opened' });
    expect(stub.getPull(run.owner, run.repo, (opened as { pr_number: number }).pr_number)).toMatchObject({ title: 'Add widgets support, take two' });
  });

  it('approveOpenPr detects a head that moved between its check and the PR creation: the PR is closed, the run escalated and the event audited', async () => {
    const req = await request();
    const moved = 'f'.repeat(40);
    // The race: the fork branch moves after approve-open-pr checked it and before GitHub creates the PR.
    const racing: GitHubClient = {
      ...github,
      async createPullRequest(input) {
        stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: moved });
        return github.createPullRequest(input);
      },
    };
    const input = { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true };
    const error = await approveOpenPr({ ...app.ctx, github: githubPort(racing) }, input).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'refused', message: expect.stringContaining(`points at ${moved}, not the approved ${run.headSha}`) });
    expect((error as Error).message).toContain('It was closed; the run is now NEEDS_HUMAN_REVIEW');
    const [pr] = stub.listPulls(run.owner, run.repo);
    expect(pr).toMatchObject({ state: 'closed', merged: false, headSha: moved });
    const found = await getRun(app.ctx.db, run.runId);
    expect(found?.state).toMatchObject({ current_state: 'NEEDS_HUMAN_REVIEW', last_error: expect.stringContaining('pr_create:pr_head_moved:') });
    expect(found?.run.pr_number).toBeNull();
    const audits = (await listAuditRecords(app.ctx.db, { limit: 10 })).filter((a) => a.kind === 'pr_head_mismatch');
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]!.detail_json)).toMatchObject({ pr_number: pr!.number, approved_head_sha: run.headSha, pr_head_sha: moved, closed: true });
    expect((await listAttempts(app.ctx.db, run.runId, { limit: 10, step: 'pr_create' })).map((a) => a.exit_code)).toEqual([1]);
  });

  it('githubClientFor refuses to send the token to a plain-http API that is not loopback, and allows https and loopback http', async () => {
    const { githubClientFor, requireGitHubClient } = await import('../../adapters/github-access.js');
    const ctx = { ...app.ctx, env: { ...app.ctx.env, GITHUB_TOKEN: 'secret-token-value' } };
    for (const apiUrl of ['http://192.0.2.10/api/v3', 'http://github.example.com', 'ftp://api.github.com']) {
      const error = await requireGitHubClient(ctx, { apiUrl }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'refused' });
      expect((error as Error).message).not.toContain('secret-token-value');
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
    await expect(githubClientFor({ ...ctx, env: { ...ctx.env, GITHUB_API_URL: 'http://10.0.0.1' } })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('over plain http') });
    for (const apiUrl of ['https://api.github.com', stub.url, 'http://localhost:9', 'http://[::1]:9']) {
      await expect(githubClientFor(ctx, { apiUrl })).resolves.toBeDefined();
    }
  });
});
