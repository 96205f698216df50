import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { addArtifact, applyEvent, createRun, getRun, latestPrRequest, openStore } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { main } from '../main.js';

const GIT_ENV = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t.invalid' };
const git = async (cwd: string, ...args: string[]) => String((await execa('git', args, { cwd, env: GIT_ENV, extendEnv: false, stdin: 'ignore' })).stdout).trim();

afterAll(() => cleanupTempDirs());

let stub: GitHubStub;
let home: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  stub = await startGitHubStub({ token: 'cli-token' });
  stub.addRepo('acme', 'widgets', { defaultBranch: 'main' });
  stub.addCommit('acme', 'widgets', { date: new Date(Date.now() - 86_400_000).toISOString(), author: 'maintainer' });
  home = tempDir('agentpr-cli-issue-');
  // AGENTPR_OFFLINE=0: the stand-in serves acme/widgets although the run's git remotes are local, so the gates ask it.
  env = { ...GIT_ENV, GITHUB_TOKEN: 'cli-token', GITHUB_API_URL: stub.url, AGENTPR_OFFLINE: '0' };
});
afterEach(async () => {
  expect(stub.openApiViolations).toEqual([]);
  await stub.close();
});

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  const code = await main(['--data-dir', home, '--skip-doctor', '--json', ...args], { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env });
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

async function withStore<T>(fn: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'sqlite', path: join(home, 'agentpr.db') });
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

/** A run in PUSHED with its branch on a local bare "fork" and a passing digest of the pushed tree. */
async function pushedRun(runId = 'run_cli_issue'): Promise<string> {
  const remote = join(tempDir('agentpr-fork-'), 'fork.git');
  await execa('git', ['init', '-q', '--bare', remote], { env: GIT_ENV, extendEnv: false });
  const workspace = join(home, 'workspaces', 'acme', 'widgets', runId);
  mkdirSync(workspace, { recursive: true });
  await git(workspace, 'init', '-q', '-b', 'main');
  writeFileSync(join(workspace, 'a.txt'), 'a\n');
  await git(workspace, 'add', '.');
  await git(workspace, 'commit', '-q', '-m', 'a');
  await git(workspace, 'remote', 'add', 'origin', remote);
  await git(workspace, 'checkout', '-q', '-b', 'feature');
  writeFileSync(join(workspace, 'b.txt'), 'b\n');
  await git(workspace, 'add', '.');
  await git(workspace, 'commit', '-q', '-m', 'b');
  await git(workspace, 'push', '-q', 'origin', 'feature');
  const sha = await git(workspace, 'rev-parse', 'HEAD');
  stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'feature', sha });
  await withStore(async (db) => {
    await createRun(db, { runId, owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: workspace });
    await addArtifact(db, { runId, type: 'workspace_prepared', uri: workspace, metadata: { base_branch: 'main', fork_owner: 'forker' } });
    for (const event of [
      { type: 'command.start.discovery' },
      { type: 'worker.discovery.completed', contract_path: '/c.md' },
      { type: 'command.start.implementation' },
      { type: 'command.local.validation.passed' },
      { type: 'worker.push.completed', branch: 'feature', head_sha: sha },
    ] as const) {
      await applyEvent(db, runId, { event });
    }
  });
  return runId;
}

const REQUEST = ['--title', 'feat(widgets): add the widgets integration', '--body', 'Adds widgets.'];

describe('agentpr link-issue and the gates through the CLI', () => {
  it('link-issue ties the run to an issue checked on GitHub, and --clear unties it', async () => {
    const runId = await pushedRun();
    const issue = stub.addIssue('acme', 'widgets', { title: 'Support widgets' });
    const linked = await cli(['link-issue', '--run-id', runId, '--issue', String(issue.number)]);
    expect(linked.code).toBe(0);
    expect(linked.json).toMatchObject({ ok: true, linked: true, run_id: runId, issue: { number: issue.number, title: 'Support widgets', state: 'open' }, previous: null });
    expect(await withStore(async (db) => (await getRun(db, runId))!.run.linked_issue)).toBe(issue.number);
    const cleared = await cli(['link-issue', '--run-id', runId, '--clear']);
    expect(cleared).toMatchObject({ code: 0, json: { ok: true, linked: false, issue: null, previous: issue.number } });
    expect(await withStore(async (db) => (await getRun(db, runId))!.run.linked_issue)).toBeNull();
  });

  it('link-issue refuses bad input, a pull request and an unknown issue in one line, and changes nothing', async () => {
    const runId = await pushedRun();
    const pr = stub.addPullRequest('acme', 'widgets', { title: 'Not an issue' });
    const cases: Array<[string[], number, RegExp]> = [
      [['--run-id', runId], 2, /pass --issue N \(the upstream issue to link\) or --clear/],
      [['--run-id', runId, '--issue', 'abc'], 2, /--issue must be an integer/],
      [['--run-id', runId, '--issue', '3', '--clear'], 2, /not both/],
      [['--run-id', runId, '--issue', String(pr.number)], 1, /is a pull request, not an issue/],
      [['--run-id', runId, '--issue', '404'], 1, /issue #404 not found in acme\/widgets/],
    ];
    for (const [args, code, message] of cases) {
      const out = await cli(['link-issue', ...args]);
      expect(out.code, args.join(' ')).toBe(code);
      expect(out.json).toMatchObject({ ok: false, error: expect.stringMatching(message) });
      // One error line (Octokit's own request warnings aside).
      expect(out.stderr.trim().split('\n').filter((l) => !l.startsWith('agentpr: warning:')), out.stderr).toEqual([expect.stringMatching(message)]);
    }
    expect(await withStore(async (db) => (await getRun(db, runId))!.run.linked_issue)).toBeNull();
  });

  it('request-open-pr on an issue-first repository is blocked (exit 1, one line, nothing written) until link-issue; then the body says Closes #N', async () => {
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', '# Contributing\n\nAll pull requests must be linked to an approved issue.\n');
    const issue = stub.addIssue('acme', 'widgets', { title: 'Support widgets' });
    const runId = await pushedRun();
    const blocked = await cli(['request-open-pr', '--run-id', runId, ...REQUEST]);
    expect(blocked.code).toBe(1);
    expect(blocked.json).toMatchObject({ ok: false, gated: true, gate: 'ai_policy', outcome: 'blocked', reason_code: 'ai_policy_issue_first', state: 'NEEDS_HUMAN_REVIEW' });
    expect(blocked.stderr).toMatch(/^agentpr: request-open-pr blocked by the ai_policy gate: .*`agentpr link-issue --run-id run_cli_issue --issue <number>`.*\n$/);
    expect(await withStore((db) => latestPrRequest(db, runId))).toBeUndefined();

    expect((await cli(['link-issue', '--run-id', runId, '--issue', String(issue.number)])).code).toBe(0);
    const requested = await cli(['request-open-pr', '--run-id', runId, ...REQUEST]);
    expect(requested.code).toBe(0);
    expect(requested.json).toMatchObject({ ok: true, citizenship: { disclosure: true, issue_number: issue.number }, preview: { body: expect.stringContaining(`Closes #${issue.number}`) } });
    expect(await withStore(async (db) => (await getRun(db, runId))!.state.current_state)).toBe('PUSHED');
  });

  it('request-open-pr outside the schedule window is held: exit 75, which window and when it opens, nothing written; --ignore-limits asks anyway', async () => {
    const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    // Only a day three days from now: the window is closed today, whatever the time.
    const day = DAYS[(new Date().getUTCDay() + 3) % 7];
    writeFileSync(join(home, 'policy.json'), JSON.stringify({ campaign_defaults: { etiquette: { schedule: { time_zone: 'UTC', windows: [{ days: [day], start: '09:00', end: '17:00' }] } } } }));
    const runId = await pushedRun();
    const held = await cli(['--policy-file', join(home, 'policy.json'), 'request-open-pr', '--run-id', runId, ...REQUEST]);
    expect(held.code).toBe(75);
    expect(held.json).toMatchObject({ ok: false, gated: true, gate: 'etiquette', outcome: 'held', reason_code: 'outside_schedule', frees_at: expect.stringMatching(/T09:00:00\.000Z$/), state: 'PUSHED' });
    expect(held.stderr).toMatch(/^agentpr: request-open-pr held by the etiquette gate: .*no request was written.*\n$/);
    expect(await withStore((db) => latestPrRequest(db, runId))).toBeUndefined();
    const forced = await cli(['--policy-file', join(home, 'policy.json'), 'request-open-pr', '--run-id', runId, ...REQUEST, '--ignore-limits']);
    expect(forced).toMatchObject({ code: 0, json: { ok: true, gates: expect.arrayContaining([{ gate: 'etiquette', outcome: 'overridden', reason_code: expect.any(String) }]) } });
  });
});
