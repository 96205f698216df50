import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { addArtifact, getRun, listEvents } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, webhookExample, type TestDatabase } from '@agentpr/testing';
import type { AppContext } from '../../context.js';
import { buildInbox, type InboxItem } from '../../runs/inbox.js';
import { boundedCheckNames, cleanCheckName, MAX_CHECK_NAME, MAX_FAILING_CHECKS } from '../failing-checks.js';
import { syncGithub } from '../sync-github.js';
import { deliverWebhook, githubPort, runInCiWait, testApp, type TestApp } from '../../__tests__/github-fixtures.js';

const SHA = 'a'.repeat(40);
/** A check name as a stranger's CI config may spell it: an ANSI escape, a bidi override, a newline. */
const HOSTILE = '\u001b[31mtest\u202e (3.12)\nrm -rf /\u0000';

describe('failing check names are hostile input', () => {
  it('cleanCheckName strips controls and bidi overrides, folds whitespace and cuts long names on a code point', () => {
    expect(cleanCheckName(HOSTILE)).toBe('[31mtest (3.12) rm -rf /');
    expect(cleanCheckName('  \t\n ')).toBeNull();
    expect(cleanCheckName(42)).toBeNull();
    const long = cleanCheckName('😀'.repeat(300))!;
    expect(Array.from(long)).toHaveLength(MAX_CHECK_NAME);
    expect(long.endsWith('😀…')).toBe(true);
  });

  it('boundedCheckNames keeps at most 20 distinct names, in order, without empties', () => {
    const names = ['lint', 'lint', '', null, ...Array.from({ length: 30 }, (_, i) => `job ${i}`)];
    const bounded = boundedCheckNames(names);
    expect(bounded).toHaveLength(MAX_FAILING_CHECKS);
    expect(bounded.slice(0, 3)).toEqual(['lint', 'job 0', 'job 1']);
  });
});

describe.each(dialectsUnderTest())('failing checks recorded where a CI verdict arrives, on %s', (kind) => {
  let tdb: TestDatabase;
  let app: TestApp;
  let stub: GitHubStub;
  let github: GitHubClient;
  let ctx: AppContext;

  afterAll(() => cleanupTempDirs());
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    app = await testApp(tdb.location, 'sync');
    stub = await startGitHubStub({ token: 'tok' });
    github = createOctokitClient({ token: 'tok', baseUrl: stub.url, throttle: false, retries: 0 });
    ctx = { ...app.ctx, github: githubPort(github) };
    stub.addRepo('acme', 'widgets');
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'feature', sha: SHA });
    await github.createPullRequest({ owner: 'acme', repo: 'widgets', title: 't', body: 'b', head: 'feature', headOwner: 'forker' });
    await runInCiWait(ctx, { runId: 'run_red', owner: 'Acme', repo: 'Widgets', prNumber: 1, sha: SHA });
    await addArtifact(ctx.db, { runId: 'run_red', type: 'branch', uri: 'changes', metadata: { sha: SHA } }, ctx.clock);
  });
  afterEach(async () => {
    await stub.close();
    await app.close();
    await tdb.drop();
  });

  const verdicts = async (): Promise<Array<Record<string, unknown>>> =>
    (await listEvents(ctx.db, 'run_red', { limit: 100 })).filter((e) => e.event_type === 'github.check.completed').map((e) => ({ key: e.idempotency_key, ...e.payload }));
  const state = async () => (await getRun(ctx.db, 'run_red'))!.state.current_state;
  /** The inbox as an operator without a GitHub token sees it: whatever it names came from the store. */
  const ciRedWithoutGitHub = async (): Promise<InboxItem | undefined> =>
    (await buildInbox({ ...app.ctx, github: githubPort(undefined) })).groups.find((g) => g.reason === 'ci_red')?.items[0];

  function aimed(event: string, where: (p: Record<string, any>) => boolean): Record<string, any> {
    const p = webhookExample(event, event === 'status' ? undefined : 'completed', where);
    p.repository.name = 'widgets';
    p.repository.full_name = 'acme/widgets';
    p.repository.owner.login = 'acme';
    return p;
  }

  it('sync-github records the failing checks of the roll-up, cleaned and bounded; the inbox names them from the store', async () => {
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'build', conclusion: 'success' });
    stub.addCheckRun('acme', 'widgets', SHA, { name: HOSTILE, conclusion: 'failure' });
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'lint', conclusion: 'timed_out' });
    stub.addStatus('acme', 'widgets', SHA, { context: 'ci/legacy', state: 'error' });
    for (let i = 0; i < 25; i++) stub.addCheckRun('acme', 'widgets', SHA, { name: `shard ${i}`, conclusion: 'failure' });
    const result = await syncGithub(ctx, {});
    expect(await state()).toBe('ITERATING');
    const [verdict] = await verdicts();
    expect(verdict).toMatchObject({ key: `gh:rollup:1:${SHA}:failure`, conclusion: 'failure' });
    const names = verdict!.failing_checks as string[];
    // Check runs come before statuses; past 20 names the rest (here the status) are left out.
    expect(names).toEqual(['[31mtest (3.12) rm -rf /', 'lint', ...Array.from({ length: MAX_FAILING_CHECKS - 2 }, (_, i) => `shard ${i}`)]);
    for (const name of names) expect(name).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(result.runs[0]).toMatchObject({ kind: 'synced', decision: { check_conclusion: 'failure', failing_checks: names } });
    expect(await ciRedWithoutGitHub()).toMatchObject({ run_id: 'run_red', pr_number: 1, failing_checks: names });
  });

  it('a failing check_run delivery records its name; the inbox reads it from the store without a GitHub client', async () => {
    const payload = aimed('check_run', (p) => p.check_run.conclusion === 'failure' && p.check_run.pull_requests.length > 0);
    payload.check_run.name = `e2e\u0007 ${'x'.repeat(400)}`;
    payload.check_run.head_sha = SHA;
    payload.check_run.pull_requests[0].number = 1;
    expect((await deliverWebhook(ctx, github, 'check_run', payload)).kind).toBe('applied');
    expect(await state()).toBe('ITERATING');
    const [verdict] = await verdicts();
    const recorded = verdict!.failing_checks as string[];
    expect(recorded).toHaveLength(1);
    expect(Array.from(recorded[0]!)).toHaveLength(MAX_CHECK_NAME);
    expect(recorded[0]!.startsWith('e2e xxx')).toBe(true);
    // The check on GitHub now says something else: the inbox does not ask, it reads what was recorded.
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'asked-github', conclusion: 'failure' });
    expect(await ciRedWithoutGitHub()).toMatchObject({ failing_checks: recorded });
    expect((await buildInbox(ctx)).groups.find((g) => g.reason === 'ci_red')?.items[0]).toMatchObject({ failing_checks: recorded });
  });

  it('a failing status delivery records its context, and sync-github a failing status among the checks', async () => {
    const payload = aimed('status', () => true);
    Object.assign(payload, { sha: SHA, state: 'failure', context: 'ci/circleci: test' });
    await deliverWebhook(ctx, github, 'status', payload);
    expect(await state()).toBe('ITERATING');
    expect((await verdicts())[0]).toMatchObject({ conclusion: 'failure', failing_checks: ['ci/circleci: test'] });
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'build', conclusion: 'success' });
    stub.addStatus('acme', 'widgets', SHA, { context: 'ci/legacy', state: 'error' });
    await syncGithub(ctx, {});
    expect((await verdicts()).find((v) => v.key === `gh:rollup:1:${SHA}:failure`)).toMatchObject({ failing_checks: ['ci/legacy'] });
  });

  it('a failing check_suite names no check: the verdict records none and the inbox asks GitHub', async () => {
    const payload = aimed('check_suite', (p) => p.check_suite.pull_requests.length > 0);
    payload.check_suite.conclusion = 'failure';
    payload.check_suite.head_sha = SHA;
    payload.check_suite.pull_requests[0].number = 1;
    await deliverWebhook(ctx, github, 'check_suite', payload);
    expect(await state()).toBe('ITERATING');
    expect((await verdicts())[0]).not.toHaveProperty('failing_checks');
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'unit', conclusion: 'failure' });
    expect(await ciRedWithoutGitHub()).toMatchObject({ failing_checks: [] });
    expect((await buildInbox(ctx)).groups.find((g) => g.reason === 'ci_red')?.items[0]).toMatchObject({ failing_checks: ['unit'] });
  });

  it('the roll-up after a successful check records the checks that failed without a delivery', async () => {
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'lint', conclusion: 'failure' });
    stub.addCheckRun('acme', 'widgets', SHA, { name: 'build', conclusion: 'success' });
    const payload = aimed('check_run', (p) => p.check_run.conclusion === 'success' && p.check_run.pull_requests.length > 0);
    payload.check_run.name = 'build';
    payload.check_run.head_sha = SHA;
    payload.check_run.pull_requests[0].number = 1;
    await deliverWebhook(ctx, github, 'check_run', payload);
    expect(await state()).toBe('ITERATING');
    const failed = (await verdicts()).find((v) => v.conclusion === 'failure');
    expect(failed).toMatchObject({ key: `gh:rollup:1:${SHA}:failure`, failing_checks: ['lint'] });
    expect(await ciRedWithoutGitHub()).toMatchObject({ failing_checks: ['lint'] });
  });
});
