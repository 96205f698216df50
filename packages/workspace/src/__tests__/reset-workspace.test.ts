import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import { captureWorkspaceChanges, createGitRunner, prepareWorkspace, resetWorktree, workspaceFingerprint } from '../index.js';

const runner = createGitRunner({ env: testGitEnv() });

afterEach(() => cleanupTempDirs());

async function prepared() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\ntwo\n', 'old.txt': 'a\nb\n', '.gitignore': 'build/\n' } });
  const root = tempDir('agentpr-ws-root-');
  const dir = join(root, 'o', 'r', 'run_1');
  const result = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, featureBranch: 'agentpr/x' });
  return { dir, base: result.base_sha };
}

/** A failed attempt's leftovers: a modified file, a deleted file, an untracked file, an ignored build dir and a cache. */
function leaveChanges(dir: string): void {
  writeFileSync(join(dir, 'src', 'app.txt'), 'one\ntwo\nthree\n');
  rmSync(join(dir, 'old.txt'));
  mkdirSync(join(dir, 'notes'));
  writeFileSync(join(dir, 'notes', 'todo.md'), 'left by the agent\n');
  mkdirSync(join(dir, 'build'));
  writeFileSync(join(dir, 'build', 'out.js'), 'x\n');
  mkdirSync(join(dir, '.agentpr_runtime', 'tmp'), { recursive: true });
  writeFileSync(join(dir, '.agentpr_runtime', 'tmp', 'scratch'), 'x\n');
}

describe('captureWorkspaceChanges', () => {
  it('lists tracked, untracked and ignored leftovers and makes a patch that git apply restores exactly, without touching the index', async () => {
    const { dir, base } = await prepared();
    leaveChanges(dir);
    const indexBefore = readFileSync(join(dir, '.git', 'index'));
    const changes = await captureWorkspaceChanges(runner, dir, { target: base });
    expect(changes).toMatchObject({
      head: base,
      target: base,
      tracked: ['old.txt', 'src/app.txt'],
      untracked: ['notes/todo.md'],
      ignored: ['.agentpr_runtime/', 'build/'],
      omitted: [],
      patchTruncated: false,
    });
    expect(changes.patch).toContain('+three');
    expect(changes.patch).toContain('deleted file mode 100644');
    expect(changes.patch).toContain('new file mode 100644');
    expect(changes.patch).toContain('+left by the agent');
    expect(readFileSync(join(dir, '.git', 'index')).equals(indexBefore)).toBe(true);

    const reset = await resetWorktree(runner, dir, { sha: base, branch: 'agentpr/x' });
    expect(reset).toEqual({ ok: true, head: base });
    const patchFile = join(tempDir('agentpr-patch-'), 'discarded.patch');
    writeFileSync(patchFile, changes.patch);
    await git(dir, ['apply', patchFile]);
    expect(readFileSync(join(dir, 'src', 'app.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(readFileSync(join(dir, 'notes', 'todo.md'), 'utf8')).toBe('left by the agent\n');
    expect(existsSync(join(dir, 'old.txt'))).toBe(false);
  });

  it('a symlink to a secret outside is kept as a link (never read through), a FIFO is listed but not read, a big file is omitted', async () => {
    const { dir, base } = await prepared();
    const outside = tempDir('agentpr-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET\n');
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'link'));
    await execa('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(4096));
    const changes = await captureWorkspaceChanges(runner, dir, { target: base, maxFileBytes: 1024 });
    expect(changes.untracked).toEqual(['big.txt', 'link']);
    expect(changes.omitted).toEqual([{ path: 'big.txt', reason: 'too_large', bytes: 4096 }]);
    expect(changes.patch).toContain('new file mode 120000');
    expect(changes.patch).toContain(`+${join(outside, 'secret.txt')}`);
    expect(changes.patch).not.toContain('TOP-SECRET');
    expect(changes.patch).not.toContain('xxxx');
  });

  it('the content budget leaves later files out as over_budget', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, 'a.txt'), 'a'.repeat(600));
    writeFileSync(join(dir, 'b.txt'), 'b'.repeat(600));
    const changes = await captureWorkspaceChanges(runner, dir, { target: base, maxPatchBytes: 1000 });
    expect(changes.omitted).toEqual([{ path: 'b.txt', reason: 'over_budget', bytes: 600 }]);
    expect(changes.patch).toContain('a.txt');
    expect(changes.patch).not.toContain('b.txt');
  });
});

describe('resetWorktree', () => {
  it('undoes a commit, changes, untracked and ignored files, and leaves the feature branch at the target', async () => {
    const { dir, base } = await prepared();
    leaveChanges(dir);
    await git(dir, ['checkout', '-q', '-b', 'elsewhere']);
    await git(dir, ['add', 'src/app.txt']);
    await git(dir, ['commit', '-q', '-m', 'feat: agent commit']);
    const reset = await resetWorktree(runner, dir, { sha: base, branch: 'agentpr/x' });
    expect(reset).toEqual({ ok: true, head: base });
    expect(await git(dir, ['symbolic-ref', '--short', 'HEAD'])).toBe('agentpr/x');
    expect(await git(dir, ['status', '--porcelain', '--ignored'])).toBe('');
    expect(existsSync(join(dir, '.agentpr_runtime'))).toBe(false);
  });

  it('removes a symlinked directory as a link and never deletes what it points to', async () => {
    const { dir, base } = await prepared();
    const outside = tempDir('agentpr-outside-');
    writeFileSync(join(outside, 'keep.txt'), 'keep\n');
    symlinkSync(outside, join(dir, 'escape'));
    expect(await resetWorktree(runner, dir, { sha: base })).toEqual({ ok: true, head: base });
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('keep\n');
  });

  it('fails verification when something is left after the clean, and refuses a target that is not a full sha', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, 'left.txt'), 'x');
    // A git whose clean does nothing: the verification, not the clean's exit status, decides.
    const noClean: typeof runner = { run: (args, options) => (args[0] === 'clean' ? runner.run(['--version'], options) : runner.run(args, options)) };
    expect(await resetWorktree(noClean, dir, { sha: base })).toEqual({ ok: false, step: 'verify', message: 'the workspace is not clean after the reset: 1 entry left (left.txt)' });
    expect(await resetWorktree(runner, dir, { sha: 'HEAD~1' })).toMatchObject({ ok: false, step: 'reset', message: expect.stringContaining('not a full commit sha') });
  });
});

describe('workspaceFingerprint', () => {
  it('stays the same while nobody touches the workspace, and changes when a file is edited or added', async () => {
    const { dir } = await prepared();
    leaveChanges(dir);
    const first = await workspaceFingerprint(runner, dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await workspaceFingerprint(runner, dir)).toBe(first);
    // Caches do not count.
    writeFileSync(join(dir, '.agentpr_runtime', 'tmp', 'more'), 'y\n');
    expect(await workspaceFingerprint(runner, dir)).toBe(first);
    writeFileSync(join(dir, 'README.md'), '# demo, edited by a human\n');
    const edited = await workspaceFingerprint(runner, dir);
    expect(edited).not.toBe(first);
    writeFileSync(join(dir, 'extra.txt'), 'z\n');
    expect(await workspaceFingerprint(runner, dir)).not.toBe(edited);
  });
});
