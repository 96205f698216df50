import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, lsRemote, makeBareFork, makeUpstream, pushCommit, tempDir, testGitEnv } from '@agentpr/testing';
import { createGitRunner, diffSummary, finishWorkspace, prepareWorkspace, workspaceIdentity, WorkspaceError } from '../index.js';

const runner = createGitRunner({ env: testGitEnv() });

afterEach(() => cleanupTempDirs());

async function prepared() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\n', 'old.txt': 'a\n' } });
  const fork = await makeBareFork(upstream);
  const root = tempDir('agentpr-ws-root-');
  const dir = join(root, 'o', 'r', 'run_1');
  const result = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, fork: { url: fork.url, owner: 'me' }, featureBranch: 'agentpr/x' });
  return { upstream, fork, dir, base: result.base_sha };
}

async function rejection(promise: Promise<unknown>): Promise<WorkspaceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  return error as WorkspaceError;
}

describe('finishWorkspace', () => {
  it('finishWorkspace commits exactly the budget files (new, modified, deleted; never the runtime dir) and pushes that commit to the fork', async () => {
    const { upstream, fork, dir, base } = await prepared();
    writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\n');
    writeFileSync(join(dir, 'src', 'new.txt'), 'brand new\n');
    rmSync(join(dir, 'old.txt'));
    mkdirSync(join(dir, '.agentpr_runtime'));
    writeFileSync(join(dir, '.agentpr_runtime', 'codex_last_message.txt'), 'secret-ish\n');
    // Something the agent staged on its own that the budget ignores must not be committed either.
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'junk.js'), 'x\n');
    await git(dir, ['add', '-f', 'node_modules/junk.js']);
    const budget = await diffSummary(runner, dir, { ref: base });
    const identity = await workspaceIdentity(runner, dir, budget.changed_files);
    const upstreamBefore = await lsRemote(upstream.url);

    const done = await finishWorkspace(runner, { repoDir: dir, baseline: base, title: 'feat(app): add two', body: '## Changes\n\nAdds two.\n' });

    expect(done).toMatchObject({ branch: 'agentpr/x', committed: true, remote: 'origin' });
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(done.head_sha);
    expect(await git(fork.url, ['rev-parse', 'refs/heads/agentpr/x'])).toBe(done.head_sha);
    expect(await git(dir, ['rev-parse', 'HEAD^'])).toBe(base);
    expect((await git(dir, ['show', '--name-status', '--format=', 'HEAD'])).split('\n').sort()).toEqual(['A\tsrc/new.txt', 'D\told.txt', 'M\tsrc/app.txt']);
    expect(await git(dir, ['rev-parse', 'HEAD^{tree}'])).toBe(identity.tree_sha);
    // The body keeps its Markdown heading (no "#" comment stripping).
    expect(await git(dir, ['log', '-1', '--format=%B'])).toBe('feat(app): add two\n\n## Changes\n\nAdds two.');
    // Only the feature branch was pushed; the fork's main and the upstream are untouched.
    expect(await git(fork.url, ['rev-parse', 'refs/heads/main'])).toBe(upstream.headSha);
    expect(await lsRemote(upstream.url)).toBe(upstreamBefore);
  });

  it('finishWorkspace with a title that has a newline refuses before running git and leaves the remote unchanged', async () => {
    const { fork, dir, base } = await prepared();
    writeFileSync(join(dir, 'x.txt'), 'x\n');
    const before = await lsRemote(fork.url);
    const error = await rejection(finishWorkspace(runner, { repoDir: dir, baseline: base, title: 'feat: one\nsecond line', body: '' }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('line break');
    expect(error.message).toContain('type(scope)!: description');
    expect(await lsRemote(fork.url)).toBe(before);
    expect(await git(dir, ['rev-parse', 'HEAD'])).toBe(base);
  });

  it('finishWorkspace with no change since the baseline fails with nothing_to_commit and pushes nothing', async () => {
    const { fork, dir, base } = await prepared();
    const before = await lsRemote(fork.url);
    const error = await rejection(finishWorkspace(runner, { repoDir: dir, baseline: base, title: 'feat: nothing', body: '' }));
    expect(error.code).toBe('nothing_to_commit');
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('finishWorkspace when the fork branch moved refuses to force and reports push_failed', async () => {
    const { fork, dir, base } = await prepared();
    await pushCommit(fork.url, { branch: 'agentpr/x', from: 'main', files: { 'theirs.txt': 'x\n' } });
    const before = await lsRemote(fork.url);
    writeFileSync(join(dir, 'mine.txt'), 'x\n');
    const error = await rejection(finishWorkspace(runner, { repoDir: dir, baseline: base, title: 'feat: mine', body: '' }));
    expect(error.code).toBe('push_failed');
    expect(error.message).toContain('no force push');
    expect(await lsRemote(fork.url)).toBe(before);
  });

  it('finishWorkspace after a failed push pushes the existing commit without committing again', async () => {
    const { fork, dir, base } = await prepared();
    writeFileSync(join(dir, 'mine.txt'), 'x\n');
    await git(dir, ['add', 'mine.txt']);
    await git(dir, ['commit', '-q', '-m', 'feat: committed earlier']);
    const head = await git(dir, ['rev-parse', 'HEAD']);
    const done = await finishWorkspace(runner, { repoDir: dir, baseline: base, title: 'feat: again', body: '' });
    expect(done).toMatchObject({ committed: false, head_sha: head });
    expect(await git(fork.url, ['rev-parse', 'refs/heads/agentpr/x'])).toBe(head);
  });
});
