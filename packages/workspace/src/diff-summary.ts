import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Git } from './git-runner.js';
import { isIgnoredPath, normaliseGitPath } from './path-filter.js';

/**
 * A diff summary. `baseline` is the ref the tracked changes were measured from: a sha or `"HEAD"`. The one
 * definition: `@agentpr/runtime-analysis` re-exports it for the classifier and the reports.
 */
export interface DiffSummary {
  changed_files: string[];
  changed_files_count: number;
  untracked_files: string[];
  untracked_files_count: number;
  ignored_files: string[];
  ignored_files_count: number;
  added_lines: number;
  deleted_lines: number;
  baseline: string;
}

/** Options of {@link diffSummary}. */
export interface DiffSummaryOptions {
  /** `"HEAD"` for the worktree diff, or the baseline sha for the budget diff. */
  ref: string;
  timeoutMs?: number;
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((part) => part.length > 0);
}

/**
 * Summarises the changes of the working tree against `ref`: tracked changes (committed since `ref` and
 * uncommitted), plus untracked files, whose every line counts as added. Ignored paths (runtime dir, tool
 * caches) are listed but never counted. A failing git command counts as empty output rather than an error.
 *
 * @example
 * const budget = await diffSummary(git, workspaceDir, { ref: baseSha });
 * if (budget.changed_files_count > 4) console.log('over budget', budget.changed_files);
 */
export async function diffSummary(git: Git, repoDir: string, options: DiffSummaryOptions): Promise<DiffSummary> {
  const { ref } = options;
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const [names, numstat, others] = await Promise.all([
    git.run(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', ref, '--'], { cwd: repoDir, ...timeout }),
    git.run(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', ref, '--'], { cwd: repoDir, ...timeout }),
    git.run(['ls-files', '--others', '--exclude-standard', '-z'], { cwd: repoDir, ...timeout }),
  ]);
  const ok = (r: { ok: boolean; stdout: string }) => (r.ok ? r.stdout : '');

  const changed = new Set<string>();
  const ignored = new Set<string>();
  const untracked = new Set<string>();
  const consider = (raw: string): string | undefined => {
    const path = normaliseGitPath(raw);
    if (isIgnoredPath(path)) {
      if (path !== '') ignored.add(path);
      return undefined;
    }
    return path;
  };

  for (const raw of splitZ(ok(names))) {
    const path = consider(raw);
    if (path !== undefined) changed.add(path);
  }

  let added = 0;
  let deleted = 0;
  // With -z and no renames each record is "<added>\t<deleted>\t<path>\0"; binary files show "-".
  for (const record of splitZ(ok(numstat))) {
    const match = /^(-|\d+)\t(-|\d+)\t([\s\S]*)$/.exec(record);
    if (!match) continue;
    if (consider(match[3]!) === undefined) continue;
    if (match[1] !== '-') added += Number(match[1]);
    if (match[2] !== '-') deleted += Number(match[2]);
  }

  for (const raw of splitZ(ok(others))) {
    const path = consider(raw);
    if (path === undefined) continue;
    untracked.add(path);
    changed.add(path);
    added += await countTextLines(join(repoDir, path));
  }

  const sorted = (set: Set<string>) => [...set].sort();
  const changedFiles = sorted(changed);
  const untrackedFiles = sorted(untracked);
  const ignoredFiles = sorted(ignored);
  return {
    changed_files: changedFiles,
    changed_files_count: changedFiles.length,
    untracked_files: untrackedFiles,
    untracked_files_count: untrackedFiles.length,
    ignored_files: ignoredFiles,
    ignored_files_count: ignoredFiles.length,
    added_lines: added,
    deleted_lines: deleted,
    baseline: ref,
  };
}

const BINARY_SNIFF_BYTES = 8000;

/**
 * Lines of a text file the way git's numstat counts an added file: newline characters, plus one for a final
 * line without a newline. Binary files (a NUL byte in the first 8000 bytes), directories and unreadable
 * paths count 0. Reads in chunks, so a large file costs no memory. The path is hostile (the agent made it):
 * a symlink is never followed and counts 1 (git adds its target text as one line), and a FIFO or device
 * counts 0 without blocking.
 */
export async function countTextLines(path: string): Promise<number> {
  let handle;
  try {
    if ((await lstat(path)).isSymbolicLink()) return 1;
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return 0;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return 0;
    const buffer = Buffer.alloc(64 * 1024);
    let lines = 0;
    let last = -1;
    let first = true;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      if (first && chunk.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return 0;
      first = false;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      last = chunk[bytesRead - 1]!;
    }
    if (last !== -1 && last !== 10) lines++;
    return lines;
  } catch {
    return 0;
  } finally {
    await handle.close();
  }
}

/** The worktree diff: uncommitted changes against `HEAD`, untracked files included. `changed_files_count > 0` means dirty. */
export function worktreeDiff(git: Git, repoDir: string, options: { timeoutMs?: number } = {}): Promise<DiffSummary> {
  return diffSummary(git, repoDir, { ref: 'HEAD', ...options });
}

/** The budget diff: everything since the prepare baseline, committed or not, untracked included. */
export function budgetDiff(git: Git, repoDir: string, baseline: string, options: { timeoutMs?: number } = {}): Promise<DiffSummary> {
  return diffSummary(git, repoDir, { ref: baseline, ...options });
}

/** True when the working tree has uncommitted changes or untracked files (ignored paths aside). */
export async function isDirty(git: Git, repoDir: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
  return (await worktreeDiff(git, repoDir, options)).changed_files_count > 0;
}
