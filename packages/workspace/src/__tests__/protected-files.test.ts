import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, git, makeUpstream, tempDir } from '@agentpr/testing';
import { compareProtected, describeProtectedChanges, parseProtectedSnapshot, protectedDigest, riskyAttributesDigest, snapshotProtected } from '../index.js';

afterEach(() => cleanupTempDirs());

/** A fresh clone of an upstream with a .gitattributes, a workflow and other files. */
async function clone(): Promise<string> {
  const upstream = await makeUpstream({
    files: { 'README.md': '# demo\n', '.gitattributes': '*.sh text eol=lf\n', '.github/workflows/ci.yml': 'on: push\n', '.github/CODEOWNERS': '* @me\n', 'src/app.txt': 'one\n' },
  });
  const dir = join(tempDir('agentpr-protected-'), 'ws');
  await git(tempDir(), ['clone', '-q', upstream.url, dir]);
  return dir;
}

describe('snapshotProtected and compareProtected', () => {
  it('snapshotProtected records .git, its config, hooks and info, .gitattributes and workflows, and nothing else', async () => {
    const dir = await clone();
    const snapshot = await snapshotProtected(dir);
    expect(snapshot.incomplete).toBeUndefined();
    const paths = Object.keys(snapshot.entries);
    expect(paths).toEqual(expect.arrayContaining(['.git', '.git/config', '.git/hooks', '.git/info', '.git/info/exclude', '.gitattributes', '.github/workflows', '.github/workflows/ci.yml']));
    expect(paths.filter((p) => !p.startsWith('.git/hooks/') && !p.startsWith('.git/info/'))).toEqual(['.git', '.git/config', '.git/hooks', '.git/info', '.gitattributes', '.github/workflows', '.github/workflows/ci.yml']);
    expect(snapshot.entries['.git']).toEqual({ kind: 'git_dir', type: 'dir' });
    expect(snapshot.entries['.git/config']).toMatchObject({ kind: 'git_config', type: 'file', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // eol/text only: harmless, so no risky-attributes digest.
    expect(snapshot.entries['.gitattributes']!.attributes).toBeUndefined();
    expect(compareProtected(snapshot, await snapshotProtected(dir))).toEqual([]);
    expect(protectedDigest(snapshot)).toBe(protectedDigest(await snapshotProtected(dir)));
  });

  it('compareProtected reports a planted hook, an fsmonitor in .git/config, a commondir, a .gitmodules and a workflow edit', async () => {
    const dir = await clone();
    const before = await snapshotProtected(dir);
    writeFileSync(join(dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\ncurl evil\n');
    chmodSync(join(dir, '.git', 'hooks', 'pre-commit'), 0o755);
    await git(dir, ['config', 'core.fsmonitor', '/tmp/evil.sh']);
    writeFileSync(join(dir, '.git', 'commondir'), '/tmp/evil-git\n');
    writeFileSync(join(dir, '.git', 'info', 'attributes'), '* filter=x\n');
    writeFileSync(join(dir, '.gitmodules'), '[submodule "x"]\n');
    writeFileSync(join(dir, '.github', 'workflows', 'ci.yml'), 'on: push\njobs: {}\n');
    writeFileSync(join(dir, '.github', 'workflows', 'new.yml'), 'on: pull_request_target\n');
    writeFileSync(join(dir, '.github', 'CODEOWNERS'), '* @attacker\n');
    writeFileSync(join(dir, 'src', 'app.txt'), 'changed\n');

    const changes = compareProtected(before, await snapshotProtected(dir));
    expect(changes).toEqual([
      { path: '.git/commondir', kind: 'git_config', change: 'added' },
      { path: '.git/config', kind: 'git_config', change: 'modified' },
      { path: '.git/hooks/pre-commit', kind: 'git_hooks', change: 'added' },
      { path: '.git/info/attributes', kind: 'git_info', change: 'added' },
      { path: '.github/workflows/ci.yml', kind: 'workflow', change: 'modified' },
      { path: '.github/workflows/new.yml', kind: 'workflow', change: 'added' },
      { path: '.gitmodules', kind: 'gitmodules', change: 'added' },
    ]);
    expect(compareProtected(before, await snapshotProtected(dir), { allowWorkflowChanges: true }).map((c) => c.path)).toEqual([
      '.git/commondir',
      '.git/config',
      '.git/hooks/pre-commit',
      '.git/info/attributes',
      '.gitmodules',
    ]);
    expect(describeProtectedChanges(changes, 2)).toBe('protected files changed: .git/commondir (added), .git/config (modified), and 5 more');
  });

  it('compareProtected counts a .gitattributes change only when it sets a filter, diff, merge, ident, encoding or macro', async () => {
    const dir = await clone();
    const before = await snapshotProtected(dir);
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', '.gitattributes'), '# comment\n*.md text eol=crlf linguist-documentation\n');
    writeFileSync(join(dir, '.gitattributes'), '*.sh text eol=lf\n*.png -text\n');
    expect(compareProtected(before, await snapshotProtected(dir))).toEqual([]);

    mkdirSync(join(dir, 'node_modules', 'pkg'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'pkg', '.gitattributes'), '*.js filter=lfs\n');
    writeFileSync(join(dir, '.gitattributes'), '*.sh text eol=lf\n*.txt diff=evil\n');
    writeFileSync(join(dir, 'docs', '.gitattributes'), '"a b" ident\n');
    expect(compareProtected(before, await snapshotProtected(dir))).toEqual([
      { path: '.gitattributes', kind: 'gitattributes', change: 'modified' },
      { path: 'docs/.gitattributes', kind: 'gitattributes', change: 'added' },
      { path: 'node_modules/pkg/.gitattributes', kind: 'gitattributes', change: 'added' },
    ]);
  });

  it('riskyAttributesDigest ignores harmless attributes and flags drivers, macros and their definitions', () => {
    expect(riskyAttributesDigest('*.sh text eol=lf\n*.png -text -whitespace\n# *.c filter=x\n*.md linguist-generated=true export-ignore\n')).toBeUndefined();
    for (const risky of ['* filter=x', '* -diff', '* merge=ours', '* ident', '* working-tree-encoding=UTF-16', '*.png binary', '[attr]mine text filter=x', '* !diff']) {
      expect(riskyAttributesDigest(`${risky}\n`), risky).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('snapshotProtected never follows symlinks: a symlinked hook, .git/config, workflows dir or .git is a type change', async () => {
    const dir = await clone();
    const before = await snapshotProtected(dir);
    const elsewhere = tempDir('agentpr-elsewhere-');
    writeFileSync(join(elsewhere, 'hook'), '#!/bin/sh\n');
    symlinkSync(join(elsewhere, 'hook'), join(dir, '.git', 'hooks', 'post-checkout'));
    renameSync(join(dir, '.git', 'config'), join(elsewhere, 'config'));
    symlinkSync(join(elsewhere, 'config'), join(dir, '.git', 'config'));
    rmSync(join(dir, '.github', 'workflows'), { recursive: true });
    mkdirSync(join(elsewhere, 'wf'));
    writeFileSync(join(elsewhere, 'wf', 'x.yml'), 'on: push\n');
    symlinkSync(join(elsewhere, 'wf'), join(dir, '.github', 'workflows'));

    const after = await snapshotProtected(dir);
    expect(after.entries['.git/hooks/post-checkout']).toMatchObject({ type: 'symlink' });
    expect(Object.keys(after.entries).some((p) => p.startsWith('.github/workflows/'))).toBe(false);
    expect(compareProtected(before, after)).toEqual([
      { path: '.git/config', kind: 'git_config', change: 'type_changed' },
      { path: '.git/hooks/post-checkout', kind: 'git_hooks', change: 'added' },
      { path: '.github/workflows', kind: 'workflow', change: 'type_changed' },
      { path: '.github/workflows/ci.yml', kind: 'workflow', change: 'removed' },
    ]);

    // .git replaced by a gitdir file pointing elsewhere.
    const other = await clone();
    const otherBefore = await snapshotProtected(other);
    rmSync(join(other, '.git'), { recursive: true });
    writeFileSync(join(other, '.git'), `gitdir: ${elsewhere}\n`);
    expect(compareProtected(otherBefore, await snapshotProtected(other)).filter((c) => c.kind === 'git_dir')).toEqual([{ path: '.git', kind: 'git_dir', change: 'type_changed' }]);
  });

  it('snapshotProtected does not hang on a FIFO planted as a hook and records it as other', async () => {
    const dir = await clone();
    const before = await snapshotProtected(dir);
    await execa('mkfifo', [join(dir, '.git', 'hooks', 'pre-push')]);
    const after = await snapshotProtected(dir);
    expect(after.entries['.git/hooks/pre-push']).toEqual({ kind: 'git_hooks', type: 'other' });
    expect(compareProtected(before, after)).toEqual([{ path: '.git/hooks/pre-push', kind: 'git_hooks', change: 'added' }]);
  });

  it('snapshotProtected past maxEntries or maxBytes is incomplete and compareProtected fails closed', async () => {
    const dir = await clone();
    const full = await snapshotProtected(dir);
    const few = await snapshotProtected(dir, { maxEntries: 5 });
    expect(few.incomplete).toMatchObject({ reason: 'more than 5 entries to check' });
    expect(compareProtected(full, few)).toContainEqual(expect.objectContaining({ change: 'unverifiable' }));
    const small = await snapshotProtected(dir, { maxBytes: 10 });
    expect(small.incomplete?.reason).toMatch(/more than 10 bytes/);
    expect(compareProtected(small, small).length).toBeGreaterThan(0);
  });

  it('parseProtectedSnapshot round-trips a snapshot through JSON and rejects anything else', async () => {
    const snapshot = await snapshotProtected(await clone());
    expect(parseProtectedSnapshot(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
    expect(parseProtectedSnapshot({ version: 1, entries: { x: { kind: 'nope', type: 'file' } } })).toBeUndefined();
    expect(parseProtectedSnapshot('x')).toBeUndefined();
  });
});
