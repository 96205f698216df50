import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeUpstream, tempDir, testGitEnv } from '@agentpr/testing';
import { budgetDiff, countTextLines, createGitRunner, diffSummary, isDirty, prepareWorkspace, workspaceIdentity, worktreeDiff } from '../index.js';

const runner = createGitRunner({ env: testGitEnv() });

afterEach(() => cleanupTempDirs());

async function prepared() {
  const upstream = await makeUpstream({ files: { 'README.md': '# demo\n', 'src/app.txt': 'one\ntwo\nthree\n', 'old.txt': 'a\nb\n', 'logo.bin': 'x\0y' } });
  const root = tempDir('agentpr-ws-root-');
  const dir = join(root, 'o', 'r', 'run_1');
  const result = await prepareWorkspace(runner, { workspaceRoot: root, workspaceDir: dir, upstreamUrl: upstream.url, featureBranch: 'agentpr/x' });
  return { dir, base: result.base_sha };
}

describe('diffSummary', () => {
  it('diffSummary with untracked symlinks to a FIFO and to a file outside never opens their targets: each counts one line, as git counts a link', async () => {
    const { dir, base } = await prepared();
    const outside = tempDir('agentpr-outside-');
    await execa('mkfifo', [join(outside, 'fifo')]);
    writeFileSync(join(outside, 'secret.txt'), 'a\nb\nc\nd\n');
    symlinkSync(join(outside, 'fifo'), join(dir, 'pipe-link'));
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'secret-link'));

    const budget = await diffSummary(runner, dir, { ref: base });
    expect(budget).toMatchObject({ untracked_files: ['pipe-link', 'secret-link'], added_lines: 2 });
    // A FIFO itself (git does not list one) counts 0 without blocking.
    await execa('mkfifo', [join(dir, 'fifo')]);
    expect(await countTextLines(join(dir, 'fifo'))).toBe(0);
  });

  it('budget diff counts a committed change, an uncommitted deletion and an untracked file with its lines', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, 'src', 'app.txt'), 'one\nTWO\nthree\nfour\n');
    await git(dir, ['commit', '-q', '-am', 'feat: agent committed this']);
    rmSync(join(dir, 'old.txt'));
    writeFileSync(join(dir, 'new.txt'), 'n1\nn2\nn3');

    const budget = await diffSummary(runner, dir, { ref: base });
    expect(budget).toEqual({
      changed_files: ['new.txt', 'old.txt', 'src/app.txt'],
      changed_files_count: 3,
      untracked_files: ['new.txt'],
      untracked_files_count: 1,
      ignored_files: [],
      ignored_files_count: 0,
      // app.txt: +2 -1 (TWO replaces two, four added); new.txt: 3 lines (last without newline)
      added_lines: 2 + 3,
      // app.txt: -1; old.txt deleted: -2
      deleted_lines: 1 + 2,
      baseline: base,
    });

    // The worktree diff against HEAD no longer sees the committed change, so budgets are measured from the base.
    const worktree = await diffSummary(runner, dir, { ref: 'HEAD' });
    expect(worktree.changed_files).toEqual(['new.txt', 'old.txt']);
    expect(worktree.added_lines).toBe(3);
    expect(worktree.deleted_lines).toBe(2);
    expect(worktree.baseline).toBe('HEAD');
  });

  it('diffSummary lists the runtime dir and tool caches as ignored and never counts them', async () => {
    const { dir, base } = await prepared();
    mkdirSync(join(dir, '.agentpr_runtime', 'cache'), { recursive: true });
    writeFileSync(join(dir, '.agentpr_runtime', 'cache', 'x.txt'), 'a\nb\n');
    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), 'x\n');
    mkdirSync(join(dir, 'src', 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'src', 'node_modules', 'nested.js'), 'counted\n');

    const budget = await diffSummary(runner, dir, { ref: base });
    expect(budget.ignored_files).toEqual(['.agentpr_runtime/cache/x.txt', 'node_modules/pkg/index.js']);
    expect(budget.changed_files).toEqual(['src/node_modules/nested.js']);
    expect(budget.added_lines).toBe(1);
  });

  it('diffSummary counts untracked binary files as changed with 0 lines and a binary modification adds 0', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x00, 0x0a, 0x0a]));
    writeFileSync(join(dir, 'logo.bin'), 'z\0q\nr\n');
    const budget = await diffSummary(runner, dir, { ref: base });
    expect(budget.changed_files).toEqual(['image.png', 'logo.bin']);
    expect(budget.added_lines).toBe(0);
    expect(budget.deleted_lines).toBe(0);
  });

  it('diffSummary respects .gitignore for untracked files and handles names with spaces and unicode', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build', 'out.js'), 'x\n');
    writeFileSync(join(dir, 'a file ü.txt'), 'one\n');
    const budget = await diffSummary(runner, dir, { ref: base });
    expect(budget.changed_files).toEqual(['.gitignore', 'a file ü.txt']);
    expect(budget.added_lines).toBe(2);
  });

  it('diffSummary on a broken ref counts the failing git commands as empty output', async () => {
    const { dir } = await prepared();
    writeFileSync(join(dir, 'new.txt'), 'x\n');
    const budget = await diffSummary(runner, dir, { ref: 'deadbeef' });
    expect(budget.changed_files).toEqual(['new.txt']);
    expect(budget.baseline).toBe('deadbeef');
  });
});

describe('worktreeDiff, budgetDiff and isDirty', () => {
  it('isDirty is false on a fresh clone, ignores the runtime dir, and is true for an untracked file', async () => {
    const { dir, base } = await prepared();
    expect(await isDirty(runner, dir)).toBe(false);
    mkdirSync(join(dir, '.agentpr_runtime'));
    writeFileSync(join(dir, '.agentpr_runtime', 'x'), 'x\n');
    expect(await isDirty(runner, dir)).toBe(false);
    writeFileSync(join(dir, 'new.txt'), 'x\n');
    expect(await isDirty(runner, dir)).toBe(true);
    expect((await worktreeDiff(runner, dir)).baseline).toBe('HEAD');
    expect((await budgetDiff(runner, dir, base)).baseline).toBe(base);
  });
});

describe('workspaceIdentity', () => {
  it('workspaceIdentity gives the tree a commit of exactly the budget files would have, without touching the index', async () => {
    const { dir, base } = await prepared();
    writeFileSync(join(dir, 'src', 'app.txt'), 'changed\n');
    rmSync(join(dir, 'old.txt'));
    writeFileSync(join(dir, 'new.txt'), 'n\n');
    mkdirSync(join(dir, '.agentpr_runtime'));
    writeFileSync(join(dir, '.agentpr_runtime', 'log.txt'), 'never\n');
    const statusBefore = await git(dir, ['status', '--porcelain']);

    const budget = await diffSummary(runner, dir, { ref: base });
    const identity = await workspaceIdentity(runner, dir, budget.changed_files);
    expect(identity.head_sha).toBe(base);
    expect(await git(dir, ['status', '--porcelain'])).toBe(statusBefore);

    await git(dir, ['add', 'src/app.txt', 'old.txt', 'new.txt']);
    await git(dir, ['commit', '-q', '-m', 'feat: x']);
    expect(await git(dir, ['rev-parse', 'HEAD^{tree}'])).toBe(identity.tree_sha);
  });

  it('workspaceIdentity with no changes returns the HEAD tree', async () => {
    const { dir } = await prepared();
    const identity = await workspaceIdentity(runner, dir, []);
    expect(identity.tree_sha).toBe(await git(dir, ['rev-parse', 'HEAD^{tree}']));
  });
});
