import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { readAgentFile } from './hostile-file.js';

/** Which protected area a path belongs to. */
export type ProtectedKind = 'git_config' | 'git_hooks' | 'git_info' | 'gitmodules' | 'gitattributes' | 'workflow' | 'git_dir';

/** What a path is, by `lstat` (a symlink is never followed). */
export type ProtectedEntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One protected path in a snapshot. */
export interface ProtectedEntry {
  kind: ProtectedKind;
  type: ProtectedEntryType;
  /** sha256 of a file's bytes or of a symlink's target text; absent for directories and other types. */
  sha256?: string;
  /**
   * `.gitattributes` only: sha256 of the lines that set anything but harmless attributes (filters, diff and
   * merge drivers, `ident`, `working-tree-encoding`, macros); absent when there are none.
   */
  attributes?: string;
}

/** The protected files of a workspace at one moment; see {@link snapshotProtected}. */
export interface ProtectedSnapshot {
  version: 1;
  /** Keyed by the path relative to the workspace, with `/` separators. */
  entries: Record<string, ProtectedEntry>;
  /** Set when a limit was hit or a directory could not be read: the snapshot is incomplete (fail closed). */
  incomplete?: { kind: ProtectedKind; path: string; reason: string };
}

/** Limits of {@link snapshotProtected}. */
export interface SnapshotLimits {
  /** Directory entries visited in the whole walk; default 200 000. */
  maxEntries?: number;
  /** Bytes read to hash protected files, in total; default 32 MiB. */
  maxBytes?: number;
}

/** One change to a protected path between two snapshots. */
export interface ProtectedChange {
  path: string;
  kind: ProtectedKind;
  /** `unverifiable`: a snapshot is incomplete, so nothing can be vouched for. */
  change: 'added' | 'removed' | 'modified' | 'type_changed' | 'unverifiable';
}

/** Options of {@link compareProtected}. */
export interface CompareProtectedOptions {
  /** Ignore changes under `.github/workflows` (campaign `allow_workflow_changes`). */
  allowWorkflowChanges?: boolean;
}

/** The default limits of {@link snapshotProtected}. */
export const DEFAULT_SNAPSHOT_LIMITS: Required<SnapshotLimits> = { maxEntries: 200_000, maxBytes: 32 * 1024 * 1024 };

/** Files directly in `.git` that decide which config git reads. */
const GIT_CONFIG_FILES = ['config', 'config.worktree', 'commondir'];

/** Attributes that only change line endings, whitespace checks, archives or linguist stats: no program runs. */
const HARMLESS_ATTRIBUTES = new Set(['text', 'eol', 'crlf', 'whitespace', 'export-ignore', 'export-subst', 'delta', 'encoding', 'conflict-marker-size']);

class Budget {
  entries = 0;
  bytes = 0;
  incomplete: ProtectedSnapshot['incomplete'];
  constructor(readonly limits: Required<SnapshotLimits>) {}
  fail(kind: ProtectedKind, path: string, reason: string): void {
    this.incomplete ??= { kind, path, reason };
  }
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function typeOf(info: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): ProtectedEntryType {
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isDirectory()) return 'dir';
  if (info.isFile()) return 'file';
  return 'other';
}

/**
 * The sha256 of the `.gitattributes` lines that matter, or undefined when every line sets only harmless
 * attributes. A macro definition (`[attr]…`) or a macro use (`binary`, a custom name) counts as mattering.
 */
export function riskyAttributesDigest(text: string): string | undefined {
  const risky: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let rest: string;
    if (line.startsWith('"')) {
      const close = line.indexOf('"', 1);
      rest = close === -1 ? '' : line.slice(close + 1);
    } else {
      if (line.startsWith('[attr]')) {
        risky.push(line);
        continue;
      }
      rest = line.replace(/^\S+/, '');
    }
    const names = rest.trim().split(/\s+/).filter((t) => t !== '').map((t) => t.replace(/^[-!]/, '').split('=')[0]!);
    if (names.some((name) => !HARMLESS_ATTRIBUTES.has(name) && !name.startsWith('linguist-'))) risky.push(line);
  }
  return risky.length === 0 ? undefined : sha256(risky.join('\n'));
}

/** lstat `rel` and record it; returns its type, or undefined when it does not exist. */
async function record(
  repoDir: string,
  rel: string,
  kind: ProtectedKind,
  entries: Record<string, ProtectedEntry>,
  budget: Budget,
): Promise<ProtectedEntryType | undefined> {
  const path = join(repoDir, rel);
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    budget.fail(kind, rel, `cannot lstat: ${code ?? String(error)}`);
    return undefined;
  }
  const type = typeOf(info);
  const entry: ProtectedEntry = { kind, type };
  if (type === 'symlink') {
    try {
      entry.sha256 = sha256(await readlink(path));
    } catch (error) {
      budget.fail(kind, rel, `cannot read the link: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  } else if (type === 'file') {
    const remaining = budget.limits.maxBytes - budget.bytes;
    const read = await readAgentFile(path, { maxBytes: Math.max(0, remaining) });
    if (!read.ok) {
      // Swapped between lstat and open (symlink, FIFO): record what it is now, and fail closed.
      entry.type = read.code === 'symlink' ? 'symlink' : read.code === 'not_regular' ? 'other' : type;
      budget.fail(kind, rel, read.message);
    } else if (read.truncated) {
      budget.fail(kind, rel, `more than ${budget.limits.maxBytes} bytes of protected files to hash`);
    } else {
      budget.bytes += read.data.length;
      entry.sha256 = sha256(read.data);
      if (kind === 'gitattributes') {
        const digest = riskyAttributesDigest(read.data.toString('utf8'));
        if (digest !== undefined) entry.attributes = digest;
      }
    }
  }
  entries[rel] = entry;
  return type;
}

/** Records `rel` and, when it is a real directory, everything below it (bounded). */
async function recordTree(repoDir: string, rel: string, kind: ProtectedKind, entries: Record<string, ProtectedEntry>, budget: Budget): Promise<void> {
  const type = await record(repoDir, rel, kind, entries, budget);
  if (type !== 'dir') return;
  const stack = [rel];
  while (stack.length > 0 && budget.incomplete === undefined) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = (await readdir(join(repoDir, dir))).sort();
    } catch (error) {
      budget.fail(kind, dir, `cannot read the directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return;
    }
    for (const name of names) {
      if (++budget.entries > budget.limits.maxEntries) return budget.fail(kind, dir, `more than ${budget.limits.maxEntries} entries to check`);
      const child = `${dir}/${name}`;
      if ((await record(repoDir, child, kind, entries, budget)) === 'dir') stack.push(child);
    }
  }
}

/** Walks the working tree (never into `.git` or through a symlink) for `.gitattributes` and workflows. */
async function walkWorktree(repoDir: string, entries: Record<string, ProtectedEntry>, budget: Budget): Promise<void> {
  const stack = [''];
  while (stack.length > 0 && budget.incomplete === undefined) {
    const dir = stack.pop()!;
    let dirents;
    try {
      dirents = await readdir(join(repoDir, dir), { withFileTypes: true });
    } catch (error) {
      budget.fail('gitattributes', dir || '.', `cannot read the directory: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      return;
    }
    for (const dirent of dirents) {
      if (++budget.entries > budget.limits.maxEntries) return budget.fail('gitattributes', dir || '.', `more than ${budget.limits.maxEntries} entries to check`);
      const name = dirent.name;
      // Nested repositories are not ours; the top-level .git is recorded separately.
      if (name === '.git') continue;
      const rel = dir === '' ? name : `${dir}/${name}`;
      if (rel === '.github/workflows') {
        await recordTree(repoDir, rel, 'workflow', entries, budget);
        continue;
      }
      if (rel === '.github' && !dirent.isDirectory()) {
        await record(repoDir, rel, 'workflow', entries, budget);
        continue;
      }
      if (name === '.gitattributes') await record(repoDir, rel, 'gitattributes', entries, budget);
      else if (rel === '.gitmodules') await record(repoDir, rel, 'gitmodules', entries, budget);
      if (dirent.isDirectory()) stack.push(rel);
    }
  }
}

/**
 * Records, WITHOUT running git (a planted fsmonitor or hook would run), the type and sha256 of every file
 * that can make agentpr's own git run a program or change what it commits: `.git` itself, `.git/config`
 * (and `config.worktree`, `commondir`), everything under `.git/hooks` and `.git/info`, `.gitmodules`, every
 * `.gitattributes` in the tree, and `.github/workflows/**`. Uses `lstat` only and never follows a symlink;
 * no directory is skipped (an attacker could hide in `node_modules`), so the walk is bounded by `limits` and
 * the snapshot is marked `incomplete` (fail closed) when one is exceeded.
 *
 * @example
 * const before = await snapshotProtected(workspaceDir);
 * // … the agent runs …
 * const changes = compareProtected(before, await snapshotProtected(workspaceDir), { allowWorkflowChanges: false });
 */
export async function snapshotProtected(repoDir: string, limits: SnapshotLimits = {}): Promise<ProtectedSnapshot> {
  const budget = new Budget({ ...DEFAULT_SNAPSHOT_LIMITS, ...limits });
  const entries: Record<string, ProtectedEntry> = {};
  const gitType = await record(repoDir, '.git', 'git_dir', entries, budget);
  if (gitType === 'dir') {
    for (const name of GIT_CONFIG_FILES) await record(repoDir, `.git/${name}`, 'git_config', entries, budget);
    await recordTree(repoDir, '.git/hooks', 'git_hooks', entries, budget);
    await recordTree(repoDir, '.git/info', 'git_info', entries, budget);
  }
  if (budget.incomplete === undefined) await walkWorktree(repoDir, entries, budget);
  const sorted: Record<string, ProtectedEntry> = {};
  for (const key of Object.keys(entries).sort()) sorted[key] = entries[key]!;
  return budget.incomplete === undefined ? { version: 1, entries: sorted } : { version: 1, entries: sorted, incomplete: budget.incomplete };
}

function matters(entry: ProtectedEntry): boolean {
  return entry.kind !== 'gitattributes' || entry.type !== 'file' || entry.attributes !== undefined;
}

/**
 * The protected paths that differ between two snapshots, sorted by path. A `.gitattributes` counts only when
 * its risky lines changed (see {@link riskyAttributesDigest}); workflows are ignored with
 * `allowWorkflowChanges`. An incomplete snapshot yields an `unverifiable` change, so the caller fails closed.
 */
export function compareProtected(before: ProtectedSnapshot, after: ProtectedSnapshot, options: CompareProtectedOptions = {}): ProtectedChange[] {
  const changes: ProtectedChange[] = [];
  for (const snapshot of [before, after]) {
    const gap = snapshot.incomplete;
    if (gap && !changes.some((c) => c.path === gap.path && c.change === 'unverifiable')) changes.push({ path: gap.path, kind: gap.kind, change: 'unverifiable' });
  }
  const paths = [...new Set([...Object.keys(before.entries), ...Object.keys(after.entries)])].sort();
  for (const path of paths) {
    const was = before.entries[path];
    const now = after.entries[path];
    const kind = (now ?? was)!.kind;
    if (kind === 'workflow' && options.allowWorkflowChanges) continue;
    if (was === undefined) {
      if (matters(now!)) changes.push({ path, kind, change: 'added' });
    } else if (now === undefined) {
      if (matters(was)) changes.push({ path, kind, change: 'removed' });
    } else if (was.type !== now.type) {
      changes.push({ path, kind, change: 'type_changed' });
    } else if (kind === 'gitattributes' ? was.attributes !== now.attributes : was.sha256 !== now.sha256) {
      changes.push({ path, kind, change: 'modified' });
    }
  }
  return changes;
}

/** A stable sha256 of a snapshot (its entries and whether it is complete), for artefact metadata. */
export function protectedDigest(snapshot: ProtectedSnapshot): string {
  return sha256(JSON.stringify({ version: snapshot.version, entries: snapshot.entries, incomplete: snapshot.incomplete ?? null }));
}

/**
 * One line naming the changed protected files, for an attempt's stderr or a run's `last_error`:
 * `protected files changed: .git/hooks/pre-commit (added), .git/config (modified)`. Lists at most `max`.
 */
export function describeProtectedChanges(changes: readonly ProtectedChange[], max = 10): string {
  const shown = changes.slice(0, max).map((c) => `${c.path} (${c.change})`);
  const more = changes.length > max ? `, and ${changes.length - max} more` : '';
  return `protected files changed: ${shown.join(', ')}${more}`;
}

const KINDS = ['git_config', 'git_hooks', 'git_info', 'gitmodules', 'gitattributes', 'workflow', 'git_dir'] as const;
const Sha = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));
const SnapshotSchema = v.object({
  version: v.literal(1),
  entries: v.record(
    v.string(),
    v.object({
      kind: v.picklist(KINDS),
      type: v.picklist(['file', 'dir', 'symlink', 'other']),
      sha256: v.optional(Sha),
      attributes: v.optional(Sha),
    }),
  ),
  incomplete: v.optional(v.object({ kind: v.picklist(KINDS), path: v.string(), reason: v.string() })),
});

/**
 * Validates a snapshot read back from storage (artefact metadata); undefined when it is not one, so the
 * caller fails closed instead of comparing against garbage.
 */
export function parseProtectedSnapshot(value: unknown): ProtectedSnapshot | undefined {
  const parsed = v.safeParse(SnapshotSchema, value);
  if (!parsed.success) return undefined;
  const { incomplete, ...rest } = parsed.output;
  const entries: Record<string, ProtectedEntry> = {};
  for (const [path, entry] of Object.entries(rest.entries)) {
    const clean: ProtectedEntry = { kind: entry.kind, type: entry.type };
    if (entry.sha256 !== undefined) clean.sha256 = entry.sha256;
    if (entry.attributes !== undefined) clean.attributes = entry.attributes;
    entries[path] = clean;
  }
  return incomplete === undefined ? { version: 1, entries } : { version: 1, entries, incomplete };
}
