import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, getPrActivity, insertPrRequest } from '@agentpr/store';
import { cleanupTempDirs, freshDatabase, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { applyAll, githubPort, testApp, type TestApp } from '../../__tests__/github-fixtures.js';
import { openPullRequest } from '../../pr-gate/open-pull-request.js';
import { fakeGitHub, type FakeGitHub } from './pr-followup-fake.js';

const T0 = '2026-11-23T10:00:00.000Z';
const SHA = 'a'.repeat(40);

let tdb: TestDatabase;
let app: TestApp;
let ctx: AppContext;
let github: FakeGitHub;

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  let clock: () => Date = () => new Date(T0);
  github = fakeGitHub(() => clock());
  app = await testApp(tdb.location, 'operator');
  clock = app.clock;
  app.clock.set(T0);
  ctx = { ...app.ctx, github: githubPort(github) };
  await createRun(ctx.db, { runId: 'run_pr', owner: 'Acme', repo: 'Widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_pr', campaign: 'renovate' }, ctx.clock);
  await applyAll(ctx, 'run_pr', [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: SHA },
  ]);
});
afterEach(async () => {
  await app.close();
  await tdb.drop();
});

async function approve() {
  const request = await insertPrRequest(ctx.db, {
    run_id: 'run_pr', request_file: '/r/run_pr.json', title: 't', body: 'b', base: 'main', head: 'agentpr/x', head_owner: 'agentpr-bot', head_sha: SHA, draft: 0,
    confirm_token_sha256: 'x', created_at: T0, expires_at: T0, consumed_at: null,
  });
  return openPullRequest(ctx, github, { runId: 'run_pr', owner: 'Acme', repo: 'Widgets', requestFile: '/r/run_pr.json' }, request);
}

describe('openPullRequest records the opening in pr_activity', () => {
  it('a PR GitHub creates now is recorded as opened now, under the run\'s campaign', async () => {
    app.clock.set('2026-11-24T08:00:00.000Z');
    const linked = await approve();
    expect(linked).toMatchObject({ created: true, prNumber: 1, state: 'CI_WAIT' });
    expect(await getPrActivity(ctx.db, 'run_pr')).toMatchObject({
      owner_key: 'acme', repo_key: 'widgets', campaign: 'renovate', pr_number: 1, pr_url: 'https://github.com/Acme/Widgets/pull/1', opened_at: '2026-11-24T08:00:00.000Z',
    });
  });

  it('a PR that was already open is recorded as opened when GitHub opened it', async () => {
    github.open(1, '2026-11-20T12:00:00.000Z');
    const linked = await approve();
    expect(linked).toMatchObject({ created: false, prNumber: 1 });
    expect(await getPrActivity(ctx.db, 'run_pr')).toMatchObject({ pr_number: 1, opened_at: '2026-11-20T12:00:00.000Z' });
  });
});
