import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '../github-stub.js';

const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'init.defaultBranch=trunk', ...args], { cwd, env: { ...process.env, ...identity, GIT_CONFIG_GLOBAL: '/dev/null' }, encoding: 'utf8' }).trim();

const dirs: string[] = [];
let stub: GitHubStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `<root>/upstream/acme/widgets.git` (default branch trunk), `<root>/fork/bot/widgets.git`, and a clone of the fork to push from. */
function localRepos(): { root: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'github-stub-forks-'));
  dirs.push(root);
  const seed = join(root, 'seed');
  mkdirSync(seed);
  git(seed, 'init', '-q');
  writeFileSync(join(seed, 'a.txt'), 'one\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'initial');
  mkdirSync(join(root, 'upstream', 'acme'), { recursive: true });
  mkdirSync(join(root, 'fork', 'bot'), { recursive: true });
  git(root, 'clone', '-q', '--bare', seed, join(root, 'upstream', 'acme', 'widgets.git'));
  git(root, 'clone', '-q', '--bare', seed, join(root, 'fork', 'bot', 'widgets.git'));
  const work = join(root, 'work');
  git(root, 'clone', '-q', join(root, 'fork', 'bot', 'widgets.git'), work);
  return { root, work };
}

/** Commits a change in `work` and pushes it to the fork's `branch`, as `run-finish` would; returns the new head. */
function pushChange(work: string, branch: string, text: string): string {
  git(work, 'switch', '-q', '-C', branch);
  writeFileSync(join(work, 'a.txt'), text);
  git(work, 'commit', '-q', '-am', text.trim());
  git(work, 'push', '-q', '-f', 'origin', `HEAD:refs/heads/${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${stub!.url}${path}`, { ...init, headers: { authorization: 'token t', 'content-type': 'application/json' } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

describe('the stand-in learns pushed branch heads from the fork itself', () => {
  it('knows the upstream from its folder, opens a PR from a pushed branch and follows a re-push, with no setBranchHead call', async () => {
    const { root, work } = localRepos();
    stub = await startGitHubStub({ token: 't', forks: join(root, 'fork'), upstreams: join(root, 'upstream') });
    expect((await call('/repos/acme/widgets')).body).toMatchObject({ full_name: 'acme/widgets', default_branch: 'trunk' });
    expect((await call('/repos/acme/nothing')).status).toBe(404);

    const first = pushChange(work, 'agentpr/feature', 'two\n');
    const created = await call('/repos/acme/widgets/pulls', { method: 'POST', body: JSON.stringify({ title: 'feat: x', head: 'bot:agentpr/feature', base: 'trunk' }) });
    expect(created).toMatchObject({ status: 201, body: { number: 1, head: { sha: first, ref: 'agentpr/feature' } } });

    const second = pushChange(work, 'agentpr/feature', 'three\n');
    expect((await call('/repos/acme/widgets/pulls/1')).body.head.sha).toBe(second);
    expect((await call('/repos/acme/widgets/pulls?head=bot:agentpr/feature')).body[0].head.sha).toBe(second);
    expect(stub.requests.some((r) => r.path.startsWith('/_stub/'))).toBe(false);
  });

  it('a branch that was never pushed is still refused, and linkFork names a fork outside any folder', async () => {
    const { root, work } = localRepos();
    stub = await startGitHubStub({ token: 't', autoRepos: true });
    const refused = await call('/repos/acme/widgets/pulls', { method: 'POST', body: JSON.stringify({ title: 't', head: 'bot:nope', base: 'main' }) });
    expect(refused.status).toBe(422);
    stub.linkFork({ headOwner: 'bot', repo: 'widgets', path: join(root, 'fork', 'bot', 'widgets.git') });
    const sha = pushChange(work, 'topic', 'four\n');
    const created = await call('/repos/acme/widgets/pulls', { method: 'POST', body: JSON.stringify({ title: 't', head: 'bot:topic', base: 'main' }) });
    expect(created.body.head.sha).toBe(sha);
  });
});
