import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { addArtifact, latestPrRequest } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { approveOpenPr } from '../approve-open-pr.js';
import { dodGateForRun } from '../dod-gate.js';
import { unfilledPlaceholders } from '../markdown-text.js';
import { requestWritten as requestOpenPr } from '../../__tests__/github-fixtures.js';
import { addDigest, git, pushedRun, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';

const EXAMPLE_CAMPAIGN = fileURLToPath(new URL('../../../../../campaigns/example', import.meta.url));

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
  cpSync(EXAMPLE_CAMPAIGN, app.ctx.paths.campaignDir, { recursive: true });
  run = await pushedRun(app.ctx, { owner: 'octo-org', repo: 'widgets' });
  stub.addRepo(run.owner, run.repo, { defaultBranch: 'main' });
  stub.setBranchHead({ owner: run.owner, repo: run.repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
  // The real base commit (the fixture records a placeholder) and a PASS attempt with its evidence and final message.
  const base = await git(run.workspace, 'rev-parse', 'main');
  await addArtifact(app.ctx.db, { runId: run.runId, type: 'workspace_prepared', uri: run.workspace, metadata: { base_branch: 'main', base_sha: base, fork_owner: 'forker' } }, app.ctx.clock);
  const message = join(app.ctx.paths.reportsDir, `${run.runId}_last_message.txt`);
  writeFileSync(message, 'Status: PASS\nRecorded the first change in change.txt, as the contract asks.\nTests: npm test passed.\n');
  await addDigest(app.ctx, run.runId, await git(run.workspace, 'rev-parse', 'HEAD^{tree}'), {
    attempt: { attempt_no: 2 },
    classification: { grade: 'PASS', reason_code: 'runtime_success', evidence: [{ line: 8, command: "/bin/bash -c 'npm test'", exit_code: 0, note: 'test evidence' }] },
    validation: { test_command_count: 1, test_commands: ["/bin/bash -c 'npm test'"], failed_test_command_count: 0, failed_test_commands: [], waived_test_failures: [] },
    artifacts: { last_message_path: message },
  });
});
afterEach(async () => {
  await stub.close();
  await app.close();
  await tdb.drop();
});

const requestFiles = () => readdirSync(app.ctx.paths.reportsDir).filter((f) => f.includes('_pr_open_request_'));

describe('requestOpenPr renders the PR text (issue 15)', () => {
  it('without --title and --body renders the campaign template with the run content, and approval opens exactly that', async () => {
    const req = await requestOpenPr(app.ctx, { runId: run.runId });
    expect(req.preview.title).toBe('feat(widgets): add example integration');
    expect(req.pr_text).toEqual({ title_from: 'template', body_from: 'campaign_template', repo_template: null });
    const body = req.preview.body;
    expect(body).toContain('## Summary\n\nRecorded the first change in change.txt, as the contract asks.\n\n## Changes\n\n- `change.txt` (+1 −0)');
    expect(body).toContain('## Validation\n\nChecks run on the change');
    expect(body).toContain('- `npm test` — passed (exit 0)');
    expect(body).toContain("agentpr's verdict on the change: PASS (`runtime_success`, attempt 2).");
    expect(unfilledPlaceholders(body)).toEqual([]);
    expect(JSON.parse(readFileSync(req.request_file, 'utf8'))).toMatchObject({ title: req.preview.title, body });
    expect(await latestPrRequest(app.ctx.db, run.runId)).toMatchObject({ title: req.preview.title, body });

    const opened = await approveOpenPr(app.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
    expect(opened).toMatchObject({ kind: 'opened', dod_gate: { kind: 'passed' } });
    expect(stub.getPull(run.owner, run.repo, 1)).toMatchObject({ title: 'feat(widgets): add example integration', body });
  });

  it('never takes a digest from outside the reports directory (a file the agent could have written)', async () => {
    const planted = join(run.workspace, 'planted_run_digest.json');
    writeFileSync(planted, JSON.stringify({
      classification: { grade: 'PASS', reason_code: 'runtime_success' },
      validation: { test_command_count: 1, test_commands: ['planted-check --all'], failed_test_command_count: 0, failed_test_commands: [] },
    }));
    await addArtifact(app.ctx.db, { runId: run.runId, type: 'run_digest', uri: planted, metadata: { grade: 'PASS' } }, app.ctx.clock);
    const req = await requestOpenPr(app.ctx, { runId: run.runId });
    expect(req.preview.body).not.toContain('planted-check');
  });

  it("fills the repository's own PR template, read from the workspace", async () => {
    mkdirSync(join(run.workspace, '.github'));
    writeFileSync(join(run.workspace, '.github', 'PULL_REQUEST_TEMPLATE.md'), '## Description\n<!-- what and why -->\n\n## How was it tested?\n\n## Checklist\n- [ ] docs\n');
    const req = await requestOpenPr(app.ctx, { runId: run.runId, title: 'feat(widgets): record the first change' });
    expect(req.pr_text).toEqual({ title_from: 'flag', body_from: 'campaign_template', repo_template: '.github/PULL_REQUEST_TEMPLATE.md' });
    expect(req.preview.body.startsWith('## Description\n\nRecorded the first change')).toBe(true);
    expect(req.preview.body).toContain('## How was it tested?\n\nChecks run on the change');
    expect(req.preview.body).toContain('## Checklist\n\n- [ ] docs\n\n## Changes');
  });

  it('refuses a body with unfilled placeholders and a generic title with one line, and writes nothing', async () => {
    // What drive and the demo sent before: the campaign's body template, unrendered.
    const raw = '## Summary\n\n{summary}\n\n## Changes\n\n{changes}\n\n## Validation\n\n{validation}\n';
    const placeholders = requestOpenPr(app.ctx, { runId: run.runId, title: 'feat: add titleCase helper', body: raw });
    await expect(placeholders).rejects.toMatchObject({ code: 'refused', details: { reason: 'pr_body_placeholders' } });
    await expect(placeholders).rejects.toThrow(/^request-open-pr refuses this PR text: the PR body has unfilled placeholders \{summary\}, \{changes\}, \{validation\}\. [^\n]+$/);
    const generic = requestOpenPr(app.ctx, { runId: run.runId, title: 'feat: add example integration', body: 'Adds it.' });
    await expect(generic).rejects.toMatchObject({ code: 'refused', details: { reason: 'pr_title_generic' }, message: expect.stringContaining("campaign's default title") });
    const unknown = join(app.ctx.paths.campaignDir, 'pr_description_template.md');
    writeFileSync(unknown, '---\ntitle: "feat({repo}): add it"\n---\n## Summary\n{summary}\n\nTicket: {jira}\n');
    await expect(requestOpenPr(app.ctx, { runId: run.runId })).rejects.toMatchObject({ code: 'refused', message: expect.stringContaining('{jira}') });
    expect(await latestPrRequest(app.ctx.db, run.runId)).toBeUndefined();
    expect(requestFiles()).toEqual([]);
  });

  it('the DoD gate fails a request whose stored text is unfilled or generic (pr_body_placeholders, pr_title_generic)', async () => {
    const req = await requestOpenPr(app.ctx, { runId: run.runId });
    // A request written before the check existed: the raw template under the generic title.
    await app.ctx.db.updateTable('pr_requests').set({ title: 'feat: add example integration', body: '## Summary\n\n{summary}\n' }).where('run_id', '=', run.runId).execute();
    const approval = approveOpenPr(app.ctx, { runId: run.runId, requestFile: req.request_file, confirmToken: req.confirm_token, confirm: true });
    await expect(approval).rejects.toMatchObject({ code: 'gate_failed', message: expect.stringContaining('pr_title_generic: the PR title "feat: add example integration" is generic') });
    await expect(approval).rejects.toThrow(/pr_body_placeholders: the PR body has unfilled placeholders \{summary\}/);
    expect(stub.listPulls(run.owner, run.repo)).toEqual([]);
    const gate = await dodGateForRun(app.ctx, run.runId, { prText: { title: 'feat(widgets): add example integration', body: 'Filled.' } });
    expect(gate.kind).toBe('passed');
  });
});
