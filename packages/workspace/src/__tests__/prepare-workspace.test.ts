import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeBareFork, makeImmutable, makeUpstream, pushCommit, tempDir, testGitEnv } from '@agentpr/testing';
import { createGitRunner, prepareWorkspace, WorkspaceError } from '../index.js';

const env = testGitEnv();
const runner = createGitRunner({ env });

afterEach(() => cleanupTempDirs());

async function setup() {
  const upstream = await makeUpstream();
  const fork = await makeBareFork(upstream);
  const root = tempDir('agentpr-ws-root-');
  return { upstream, fork, root };
}

async function rejection(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

describe('prepareWorkspace', () => {
  it('prepareWorkspace for two runs of the same repo creates two separate clones on their own branches', async () => {
    const { upstream, fork, root } = await setup();
    const dirA = join(root, 'acme', 'widgets', 'run_a');
    const dirB = join(root, 'acme', 'widgets', 'run_b');
    const a = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dirA, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/a' });
    const b = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dirB, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/b' });

    expect(a.workspace_dir).toBe(dirA);
    expect(b.workspace_dir).toBe(dirB);
    expect(existsSync(join(dirA, '.git'))).toBe(true);
    expect(existsSync(join(dirB, '.git'))).toBe(true);
    expect(await git(dirA, ['branch', '--show-current'])).toBe('agentpr/a');
    expect(await git(dirB, ['branch', '--show-current'])).toBe('agentpr/b');
    expect(a).toMatchObject({ base_branch: 'main', base_sha: upstream.headSha, feature_branch: 'agentpr/a', fork_owner: 'me', reused: false });
    expect(await git(dirA, ['remote', 'get-url', 'origin'])).toBe(fork.url);
    expect(await git(dirA, ['remote', 'get-url', 'upstream'])).toBe(upstream.url);
    // A change in one workspace is invisible in the other.
    writeFileSync(join(dirA, 'only-a.txt'), 'a\n');
    expect(existsSync(join(dirB, 'only-a.txt'))).toBe(false);
  });

  it('prepareWorkspace neither pushes nor changes any branch of the fork or the upstream', async () => {
    const { upstream, fork, root } = await setup();
    const forkBefore = await git(root, ['ls-remote', fork.url]);
    const upstreamBefore = await git(root, ['ls-remote', upstream.url]);
    await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' });
    expect(await git(root, ['ls-remote', fork.url])).toBe(forkBefore);
    expect(await git(root, ['ls-remote', upstream.url])).toBe(upstreamBefore);
  });

  it('prepareWorkspace with a given base branch starts the feature branch from upstream/<base> and records its merge-base', async () => {
    const { upstream, fork, root } = await setup();
    const devSha = await pushCommit(upstream.url, { branch: 'develop', files: { 'dev.txt': 'dev\n' } });
    const dir = join(root, 'o', 'r', 'run_1');
    const prepared = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, baseBranch: 'develop', featureBranch: 'agentpr/x' });
    expect(prepared).toMatchObject({ base_branch: 'develop', base_sha: devSha, head_sha: devSha });
    expect(prepared.log.join('\n')).toContain('as given; check it against CONTRIBUTING.md');
  });

  it('prepareWorkspace without a fork sets origin to the upstream and says that pushes go there', async () => {
    const { upstream, root } = await setup();
    const dir = join(root, 'o', 'r', 'run_1');
    const prepared = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, featureBranch: 'agentpr/x' });
    expect(await git(dir, ['remote', 'get-url', 'origin'])).toBe(upstream.url);
    expect(prepared.log.join('\n')).toContain('no fork configured');
  });

  it('prepareWorkspace again on the same run reuses the clone when the remotes match and keeps the branch commits', async () => {
    const { upstream, fork, root } = await setup();
    const dir = join(root, 'o', 'r', 'run_1');
    const options = { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' };
    await prepareWorkspace(runner, options);
    writeFileSync(join(dir, 'work.txt'), 'work\n');
    await git(dir, ['add', 'work.txt']);
    await git(dir, ['commit', '-q', '-m', 'feat: work']);
    const head = await git(dir, ['rev-parse', 'HEAD']);
    const again = await prepareWorkspace(runner, options);
    expect(again).toMatchObject({ reused: true, head_sha: head, base_sha: upstream.headSha });
  });

  it('prepareWorkspace on an existing clone of another remote refuses with remote_mismatch and leaves it alone', async () => {
    const { upstream, fork, root } = await setup();
    const other = await makeUpstream({ name: 'other.git' });
    const dir = join(root, 'o', 'r', 'run_1');
    await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: other.url, featureBranch: 'agentpr/x' });
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('remote_mismatch');
    expect(error.message).toContain('upstream');
    expect(existsSync(join(dir, '.git'))).toBe(true);
  });

  it('prepareWorkspace with an upstream URL that does not exist fails with clone_failed and leaves no directory behind', async () => {
    const { root } = await setup();
    const dir = join(root, 'acme', 'widgets', 'run_1');
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: join(root, 'nope.git'), featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('clone_failed');
    expect(error.message).toMatch(/^cannot clone .*nope\.git: /);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace when the feature branch exists on the fork with other commits refuses with branch_conflict and removes the clone', async () => {
    const { upstream, fork, root } = await setup();
    await pushCommit(fork.url, { branch: 'agentpr/x', from: 'main', files: { 'other.txt': 'someone else\n' } });
    const dir = join(root, 'acme', 'widgets', 'run_1');
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('branch_conflict');
    expect(error.message).toBe('branch agentpr/x already exists on the fork with 1 commit(s) not on the base; choose another --feature-branch or delete that branch.');
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace accepts a fork branch of the same name that holds no commits beyond the base', async () => {
    const { upstream, fork, root } = await setup();
    await git(root, ['--git-dir', fork.url, 'branch', 'agentpr/x', 'main']);
    const prepared = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' });
    expect(prepared.head_sha).toBe(upstream.headSha);
  });

  it('prepareWorkspace with a base branch missing upstream fails with base_branch_missing and cleans up', async () => {
    const { upstream, fork, root } = await setup();
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, baseBranch: 'nope', featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('base_branch_missing');
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace with an unreachable fork fails before anything is kept', async () => {
    const { upstream, root } = await setup();
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, fork: { url: join(root, 'missing-fork.git'), owner: 'me' }, featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('git_failed');
    expect(error.message).toContain('cannot reach the push remote');
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace keeps directories that existed before the call when it fails', async () => {
    const { root } = await setup();
    mkdirSync(join(root, 'acme', 'widgets'), { recursive: true });
    await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'acme', 'widgets', 'run_1'), upstreamUrl: join(root, 'nope.git'), featureBranch: 'agentpr/x' }));
    expect(readdirSync(join(root, 'acme', 'widgets'))).toEqual([]);
  });

  it('prepareWorkspace refuses a workspace dir outside the root, also through a symlink, without creating anything', async () => {
    const { upstream, root } = await setup();
    const outside = tempDir('agentpr-outside-');
    const lexical = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(outside, 'run_1'), upstreamUrl: upstream.url, featureBranch: 'agentpr/x' }));
    expect(lexical.code).toBe('outside_root');
    symlinkSync(outside, join(root, 'escape'));
    const viaLink = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'escape', 'r', 'run_1'), upstreamUrl: upstream.url, featureBranch: 'agentpr/x' }));
    expect(viaLink.code).toBe('outside_root');
    expect(viaLink.message).toContain('symlink');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('prepareWorkspace refuses a target that exists without .git', async () => {
    const { upstream, root } = await setup();
    const dir = join(root, 'o', 'r', 'run_1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('target_exists');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('prepareWorkspace refuses an invalid feature branch name before touching the disk', async () => {
    const { upstream, root } = await setup();
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, featureBranch: 'bad..name' }));
    expect(error.code).toBe('invalid_input');
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace under a workspace root that is not writable fails with not_writable and one clear line', async (ctx) => {
    const { upstream, root } = await setup();
    const locked = await makeImmutable(root);
    if (!locked.applied) ctx.skip();
    try {
      const error = await rejection(prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: join(root, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, featureBranch: 'agentpr/x' }));
      expect(error.code).toBe('not_writable');
      expect(error.message).toMatch(/^cannot create .*EPERM.*choose another --workspace-root\.$/);
    } finally {
      await locked.restore();
    }
    expect(readdirSync(root)).toEqual([]);
  });

  it('prepareWorkspace whose workspace root is a file fails with not_writable', async () => {
    const { upstream } = await setup();
    const file = join(tempDir(), 'root-file');
    writeFileSync(file, 'x');
    const error = await rejection(prepareWorkspace(runner, { workspaceRoot: file, workspaceDir: join(file, 'o', 'r', 'run_1'), upstreamUrl: upstream.url, featureBranch: 'agentpr/x' }));
    expect(error.code).toBe('not_writable');
  });
});
