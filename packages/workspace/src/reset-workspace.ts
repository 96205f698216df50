import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Git, GitResult, GitRunOptions } from './git-runner.js';
import { isIgnoredPath, normaliseGitPath } from './path-filter.js';
import { firstLine } from './stage-paths.js';

/** Why a changed file is listed but its content is not in the patch. */
export type OmittedReason = 'too_large' | 'not_a_file' | 'over_budget';

/** A discarded path whose content the patch does not hold. */
export interface OmittedFile {
  path: string;
  reason: OmittedReason;
  /** Bytes of the file (or of the deleted blob) when known. */
  bytes: number | null;
}

/** What a reset to `target` would discard, captured before it runs (see {@link captureWorkspaceChanges}). */
export interface WorkspaceChanges {
  /** HEAD before the reset. */
  head: string;
  /** The commit the changes are measured from (and the reset goes to). */
  target: string;
  /** Tracked paths that differ from `target` (committed since or not), ignored cache paths aside. */
  tracked: string[];
  /** Untracked files that are not git-ignored, cache directories aside. */
  untracked: string[];
  /** What `git clean -x` removes besides: git-ignored entries (directories collapsed) and cache directories. */
  ignored: string[];
  /** Changed paths listed but left out of the patch. */
  omitted: OmittedFile[];
  /** A `git apply`-able patch (against `target`) of the tracked and untracked changes, `''` when there are none. */
  patch: string;
  /** True when the patch text was cut at the byte limit (the cut is marked in the text). */
  patchTruncated: boolean;
}

/** Options of {@link captureWorkspaceChanges}. */
export interface CaptureChangesOptions {
  /** The commit to measure from (a full sha). */
  target: string;
  /** Content bytes the patch may hold; larger files are listed in `omitted`. Default 2 MiB. */
  maxPatchBytes?: number;
  /** A single file larger than this is never included. Default 512 KiB. */
  maxFileBytes?: number;
  timeoutMs?: number;
}

const DEFAULT_PATCH_BYTES = 2 * 1024 * 1024;
const DEFAULT_FILE_BYTES = 512 * 1024;
/** Keeps the pathspec argv far below the kernel's argument limit. */
const MAX_PATHSPEC_BYTES = 96 * 1024;

function splitZ(text: string): string[] {
  return text.split('\0').filter((part) => part.length > 0);
}

function runner(git: Git, repoDir: string, timeoutMs: number | undefined) {
  return (args: readonly string[], extra: Partial<GitRunOptions> = {}): Promise<GitResult> =>
    git.run(args, { cwd: repoDir, ...(timeoutMs === undefined ? {} : { timeoutMs }), ...extra });
}

/** The collapsed name of a cache path (`node_modules/x/y` → `node_modules/`). */
function cacheEntry(path: string): string {
  const first = path.split('/')[0]!;
  return path === first ? path : `${first}/`;
}

/** Paths changed against `ref` (worktree and commits) and untracked files, cache paths set apart. */
async function changedPaths(run: ReturnType<typeof runner>, ref: string): Promise<{ tracked: string[]; untracked: string[]; caches: Set<string> } | string> {
  const [names, others] = await Promise.all([
    run(['diff', '--name-only', '-z', '--no-renames', ref, '--']),
    run(['ls-files', '--others', '--exclude-standard', '-z']),
  ]);
  if (!names.ok) return `git diff ${ref} failed: ${firstLine(names.stderr)}`;
  if (!others.ok) return `git ls-files failed: ${firstLine(others.stderr)}`;
  const caches = new Set<string>();
  const keep = (raw: string): boolean => {
    const path = normaliseGitPath(raw);
    if (!isIgnoredPath(path)) return true;
    if (path !== '') caches.add(cacheEntry(path));
    return false;
  };
  const tracked = splitZ(names.stdout).filter(keep).sort();
  const untracked = splitZ(others.stdout).filter(keep).sort();
  return { tracked, untracked, caches };
}

/** Size of a path in the worktree, never following a symlink: null when it is missing, -1 when it is not a file or link. */
async function worktreeSize(repoDir: string, path: string): Promise<number | null> {
  try {
    const info = await lstat(join(repoDir, path));
    return info.isFile() || info.isSymbolicLink() ? info.size : -1;
  } catch {
    return null;
  }
}

/** Sizes of blobs at `ref` for `paths` (deleted files: their old content goes into the patch). */
async function blobSizes(run: ReturnType<typeof runner>, ref: string, paths: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (paths.length === 0) return sizes;
  const listed = await run(['ls-tree', '-l', '-z', ref, '--', ...paths], { env: { GIT_LITERAL_PATHSPECS: '1' } });
  for (const record of splitZ(listed.ok ? listed.stdout : '')) {
    const match = /^\d+ \w+ [0-9a-f]+ +(\d+|-)\t([\s\S]*)$/.exec(record);
    if (match && match[1] !== '-') sizes.set(match[2]!, Number(match[1]));
  }
  return sizes;
}

interface PatchPlan {
  included: string[];
  includedUntracked: string[];
  omitted: OmittedFile[];
}

/** Chooses the files whose content fits the budget, in path order; the rest are listed as omitted. */
async function planPatch(
  repoDir: string,
  run: ReturnType<typeof runner>,
  target: string,
  changed: { tracked: string[]; untracked: string[] },
  limits: { patch: number; file: number },
): Promise<PatchPlan> {
  const { tracked, untracked } = changed;
  const plan: PatchPlan = { included: [], includedUntracked: [], omitted: [] };
  const sizes = new Map<string, number | null>();
  for (const path of [...tracked, ...untracked]) sizes.set(path, await worktreeSize(repoDir, path));
  const deleted = tracked.filter((p) => sizes.get(p) === null);
  let listed = 0;
  const old = await blobSizes(run, target, deleted.filter((p) => (listed += p.length + 1) <= MAX_PATHSPEC_BYTES));
  const untrackedSet = new Set(untracked);
  let budget = limits.patch;
  let argBytes = 0;
  for (const path of [...tracked, ...untracked]) {
    const size = sizes.get(path) ?? null;
    if (size === -1 || path.endsWith('/')) {
      plan.omitted.push({ path, reason: 'not_a_file', bytes: null });
      continue;
    }
    const bytes = size ?? old.get(path) ?? null;
    if (bytes === null || bytes > limits.file) {
      plan.omitted.push({ path, reason: 'too_large', bytes });
      continue;
    }
    if (bytes > budget || argBytes + path.length + 1 > MAX_PATHSPEC_BYTES) {
      plan.omitted.push({ path, reason: 'over_budget', bytes });
      continue;
    }
    budget -= bytes;
    argBytes += path.length + 1;
    plan.included.push(path);
    if (untrackedSet.has(path)) plan.includedUntracked.push(path);
  }
  return plan;
}

/**
 * The patch of `plan.included` against `target`: a throwaway index (outside the repository) holds HEAD plus the
 * untracked files as intent-to-add, so `git diff` shows them as new files; the real index is never touched.
 */
async function renderPatch(run: ReturnType<typeof runner>, target: string, plan: PatchPlan): Promise<string | { error: string }> {
  if (plan.included.length === 0) return '';
  const dir = mkdtempSync(join(tmpdir(), 'agentpr-discard-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index'), GIT_LITERAL_PATHSPECS: '1' };
  try {
    const read = await run(['read-tree', 'HEAD'], { env });
    if (!read.ok) return { error: `git read-tree HEAD failed: ${firstLine(read.stderr)}` };
    if (plan.includedUntracked.length > 0) {
      const input = plan.includedUntracked.map((p) => `${p}\0`).join('');
      const added = await run(['add', '--intent-to-add', '--pathspec-from-file=-', '--pathspec-file-nul'], { env, input });
      if (!added.ok) return { error: `git add --intent-to-add failed: ${firstLine(added.stderr)}` };
    }
    const diff = await run(['diff', '--binary', '--no-renames', '--no-color', '--full-index', target, '--', ...plan.included], { env });
    return diff.ok ? diff.stdout : { error: `git diff failed: ${firstLine(diff.stderr)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What resetting the workspace to `target` would discard: the tracked changes (committed since `target` or not),
 * the untracked files, and the ignored entries `git clean -x` would remove, plus a `git apply`-able patch of the
 * tracked and untracked changes. The workspace is hostile: symlinks are recorded as links (git never follows
 * them) and never read through, FIFOs, sockets and nested repositories are listed but not read, and the patch
 * holds at most `maxPatchBytes` of content (larger files are listed in `omitted`). Nothing in the workspace or its
 * index changes. Throws only when git cannot read the repository at all.
 *
 * @example
 * const changes = await captureWorkspaceChanges(git, workspaceDir, { target: baseSha });
 * if (changes.tracked.length + changes.untracked.length > 0) keep(changes.patch);
 */
export async function captureWorkspaceChanges(git: Git, repoDir: string, options: CaptureChangesOptions): Promise<WorkspaceChanges> {
  const run = runner(git, repoDir, options.timeoutMs);
  const head = await run(['rev-parse', '--verify', 'HEAD^{commit}']);
  if (!head.ok) throw new Error(`cannot read HEAD in ${repoDir}: ${firstLine(head.stderr)}`);
  const paths = await changedPaths(run, options.target);
  if (typeof paths === 'string') throw new Error(`${paths} (in ${repoDir})`);
  const ignoredRun = await run(['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z']);
  const ignored = new Set([...splitZ(ignoredRun.ok ? ignoredRun.stdout : '').map(normaliseGitPath), ...paths.caches]);
  const limits = { patch: options.maxPatchBytes ?? DEFAULT_PATCH_BYTES, file: options.maxFileBytes ?? DEFAULT_FILE_BYTES };
  const plan = await planPatch(repoDir, run, options.target, paths, limits);
  const rendered = await renderPatch(run, options.target, plan);
  let patch = typeof rendered === 'string' ? rendered : `# agentpr: the patch could not be made: ${rendered.error}\n`;
  // Binary hunks and old content of deleted files can outgrow the content budget; the text itself stays bounded.
  const cap = limits.patch * 2 + 64 * 1024;
  const patchTruncated = Buffer.byteLength(patch) > cap;
  if (patchTruncated) patch = `${Buffer.from(patch).subarray(0, cap).toString('utf8')}\n# agentpr: patch truncated at ${cap} bytes\n`;
  return {
    head: head.stdout.trim(),
    target: options.target,
    tracked: paths.tracked,
    untracked: paths.untracked,
    ignored: [...ignored].filter((p) => p !== '').sort(),
    omitted: plan.omitted,
    patch,
    patchTruncated,
  };
}

/**
 * A fingerprint of the workspace's local state: HEAD, and for every path that differs from HEAD or is untracked
 * (cache directories aside) its type, size, mtime and inode, read with `lstat` (no symlink followed, no content
 * read). Recorded when an attempt ends, it tells "exactly as that attempt left it" from "someone edited it since".
 * Null when git cannot read the repository.
 */
export async function workspaceFingerprint(git: Git, repoDir: string, options: { timeoutMs?: number } = {}): Promise<string | null> {
  const run = runner(git, repoDir, options.timeoutMs);
  const head = await run(['rev-parse', '--verify', 'HEAD^{commit}']);
  if (!head.ok) return null;
  const paths = await changedPaths(run, 'HEAD');
  if (typeof paths === 'string') return null;
  const hash = createHash('sha256').update(`head ${head.stdout.trim()}\n`);
  for (const path of [...new Set([...paths.tracked, ...paths.untracked])].sort()) {
    const info = await lstat(join(repoDir, path), { bigint: true }).catch(() => null);
    const facts = info ? `${info.mode} ${info.size} ${info.mtimeNs} ${info.ino}` : 'missing';
    hash.update(`${JSON.stringify(path)} ${facts}\n`);
  }
  return hash.digest('hex');
}

/** Where {@link resetWorktree} puts the workspace. */
export interface ResetTarget {
  /** A full commit sha. */
  sha: string;
  /** The branch to leave checked out at `sha` (created or moved); without it the current branch is moved. */
  branch?: string | undefined;
}

/** The outcome of {@link resetWorktree}: clean at the target, or why not (one line). */
export type WorktreeReset = { ok: true; head: string } | { ok: false; step: 'reset' | 'clean' | 'verify'; message: string };

/**
 * Puts the workspace back at `target`: `git checkout --force -B <branch> <sha>` (or `git reset --hard <sha>`),
 * then `git clean -ffdx` (untracked and ignored files, nested repositories included), through the hardened
 * runner (no hooks, no fsmonitor, no submodule recursion). git removes symlinks as links and refuses to write
 * through a symlinked directory, so nothing outside the workspace is touched. Verifies afterwards that HEAD is
 * the target (on the branch) and that `git status --ignored` shows nothing; otherwise returns a failure.
 *
 * @example
 * const reset = await resetWorktree(git, workspaceDir, { sha: baseSha, branch: featureBranch });
 * if (!reset.ok) throw new Error(reset.message);
 */
export async function resetWorktree(git: Git, repoDir: string, target: ResetTarget, options: { timeoutMs?: number } = {}): Promise<WorktreeReset> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(target.sha)) return { ok: false, step: 'reset', message: `reset target ${JSON.stringify(target.sha)} is not a full commit sha` };
  const run = runner(git, repoDir, options.timeoutMs);
  const moved = target.branch
    ? await run(['checkout', '--force', '--no-recurse-submodules', '--no-track', '-B', target.branch, target.sha])
    : await run(['reset', '--hard', '--no-recurse-submodules', target.sha]);
  if (!moved.ok) return { ok: false, step: 'reset', message: `git ${target.branch ? 'checkout' : 'reset'} to ${target.sha.slice(0, 12)} failed: ${firstLine(moved.stderr)}` };
  const cleaned = await run(['clean', '-ffdxq']);
  if (!cleaned.ok) return { ok: false, step: 'clean', message: `git clean failed: ${firstLine(cleaned.stderr)}` };
  const [head, ref, status] = await Promise.all([
    run(['rev-parse', '--verify', 'HEAD^{commit}']),
    run(['symbolic-ref', '-q', 'HEAD']),
    run(['status', '--porcelain=v1', '-z', '--ignored', '--untracked-files=all', '--ignore-submodules=none']),
  ]);
  const now = head.stdout.trim();
  if (!head.ok || now !== target.sha) return { ok: false, step: 'verify', message: `after the reset HEAD is ${now || 'unreadable'}, not ${target.sha.slice(0, 12)}` };
  if (target.branch && ref.stdout.trim() !== `refs/heads/${target.branch}`) {
    return { ok: false, step: 'verify', message: `after the reset HEAD is ${ref.stdout.trim() || 'detached'}, not on ${target.branch}` };
  }
  const left = splitZ(status.ok ? status.stdout : '');
  if (!status.ok || left.length > 0) {
    const what = status.ok ? `${left.length} entr${left.length === 1 ? 'y' : 'ies'} left (${left.slice(0, 3).map((l) => l.slice(3)).join(', ')})` : firstLine(status.stderr);
    return { ok: false, step: 'verify', message: `the workspace is not clean after the reset: ${what}` };
  }
  return { ok: true, head: now };
}
