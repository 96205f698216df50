import { closeSync, constants, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { CodexRunnerError } from './errors.js';

/** Default cap of one copied file: 1 MiB. */
export const DEFAULT_CODEX_HOME_MAX_FILE_BYTES = 1024 * 1024;

/** Default cap of everything copied into one attempt home: 16 MiB. */
export const DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** At most this many entries are walked in the skills tree, and at most this deep. */
const MAX_SKILL_ENTRIES = 5_000;
const MAX_SKILL_DEPTH = 12;

/** Inputs of {@link createAttemptCodexHome}. */
export interface AttemptCodexHomeOptions {
  /** The operator's codex home (`resolveCodexHome(env)`), read only. */
  operatorCodexHome: string;
  /** An existing directory (or one whose parent exists) outside every workspace, e.g. `<data>/agent-homes`. */
  parentDir: string;
  /** Copy the `skills/` tree too (skills mode `agentpr`). */
  includeSkills: boolean;
  /** Cap of one file; a larger one is skipped. Default {@link DEFAULT_CODEX_HOME_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
  /** Cap of all files; files past it are skipped. Default {@link DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES}. */
  maxTotalBytes?: number;
}

/** Why a source entry was not copied. */
export type SkippedReason = 'symlink' | 'not_regular' | 'too_large' | 'total_cap' | 'unreadable' | 'too_many_entries' | 'too_deep';

/** A throwaway codex home for one attempt. */
export interface AttemptCodexHome {
  /** The directory to give the agent as `CODEX_HOME` (and to bind writable under bwrap). */
  path: string;
  /** Copied files, relative to the operator's codex home (`config.toml`, `skills/x/SKILL.md`). */
  copied: string[];
  /** Entries left out, relative to the operator's codex home, and why. */
  skipped: Array<{ path: string; reason: SkippedReason }>;
  /** Removes the whole directory; safe to call twice or after it is gone. */
  dispose(): void;
}

/**
 * Makes a fresh per-attempt codex home (issue 12): a 0700 `mkdtemp` directory under `parentDir` holding copies of the
 * operator's `config.toml`, `auth.json` (when present) and, with `includeSkills`, the `skills/` tree. Only regular files
 * are copied (`lstat`, opened with `O_NOFOLLOW`; symlinks and other kinds are skipped and reported), each capped at
 * `maxFileBytes` and all at `maxTotalBytes`; copies are created 0600 with `O_EXCL`. The agent may write into this home
 * during the attempt; `dispose()` throws it away, so nothing it planted reaches a later run. Throws
 * {@link CodexRunnerError} (`invalid_option`) only when the directory itself cannot be made.
 * @example
 * const home = createAttemptCodexHome({ operatorCodexHome: resolveCodexHome(env), parentDir: join(dataDir, 'agent-homes'), includeSkills: true });
 * try { ...launch with codexHome: home.path... } finally { home.dispose(); }
 */
export function createAttemptCodexHome(options: AttemptCodexHomeOptions): AttemptCodexHome {
  const maxFile = positive(options.maxFileBytes, DEFAULT_CODEX_HOME_MAX_FILE_BYTES, 'maxFileBytes');
  const maxTotal = positive(options.maxTotalBytes, DEFAULT_CODEX_HOME_MAX_TOTAL_BYTES, 'maxTotalBytes');
  let path: string;
  try {
    // One level only: a recursive mkdir under a pseudo file system can hang instead of failing.
    mkdirSync(options.parentDir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotMake(options.parentDir, error);
  }
  try {
    path = mkdtempSync(join(options.parentDir, 'codex-home-'));
  } catch (error) {
    throw cannotMake(options.parentDir, error);
  }
  const copier = new Copier(options.operatorCodexHome, path, maxFile, maxTotal);
  try {
    copier.file('config.toml');
    copier.file('auth.json');
    if (options.includeSkills) copier.tree('skills');
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw error;
  }
  return {
    path,
    copied: copier.copied,
    skipped: copier.skipped,
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}

class Copier {
  readonly copied: string[] = [];
  readonly skipped: Array<{ path: string; reason: SkippedReason }> = [];
  private total = 0;
  private entries = 0;

  constructor(
    private readonly from: string,
    private readonly to: string,
    private readonly maxFile: number,
    private readonly maxTotal: number,
  ) {}

  /** Copies one regular file; a missing one is simply absent (codex has defaults, and API-key users have no auth.json). */
  file(rel: string): void {
    const source = join(this.from, rel);
    if (this.expect(source, rel, 'file')) this.copyRegular(source, rel);
  }

  /** True when `source` is of `wanted` kind; a missing one is false, any other kind is recorded as skipped. */
  private expect(source: string, rel: string, wanted: 'file' | 'directory'): boolean {
    let kind: ReturnType<typeof kindOf>;
    try {
      kind = kindOf(lstatSync(source));
    } catch {
      return false;
    }
    if (kind === wanted) return true;
    this.skipped.push({ path: rel, reason: kind === 'symlink' ? 'symlink' : 'not_regular' });
    return false;
  }

  /** Copies a directory tree: directories are recreated 0700, regular files copied, everything else skipped. */
  tree(rel: string): void {
    if (!this.expect(join(this.from, rel), rel, 'directory')) return;
    this.walk(rel, 0);
  }

  private walk(rel: string, depth: number): void {
    if (depth > MAX_SKILL_DEPTH) {
      this.skipped.push({ path: rel, reason: 'too_deep' });
      return;
    }
    mkdirSync(join(this.to, rel), { mode: 0o700 });
    let names: string[];
    try {
      names = readdirSync(join(this.from, rel)).sort();
    } catch {
      this.skipped.push({ path: rel, reason: 'unreadable' });
      return;
    }
    for (const name of names) {
      const child = join(rel, name);
      if (++this.entries > MAX_SKILL_ENTRIES) {
        this.skipped.push({ path: child, reason: 'too_many_entries' });
        return;
      }
      let kind: ReturnType<typeof kindOf>;
      try {
        kind = kindOf(lstatSync(join(this.from, child)));
      } catch {
        this.skipped.push({ path: child, reason: 'unreadable' });
        continue;
      }
      if (kind === 'directory') this.walk(child, depth + 1);
      else if (kind === 'file') this.copyRegular(join(this.from, child), child);
      else this.skipped.push({ path: child, reason: kind === 'symlink' ? 'symlink' : 'not_regular' });
    }
  }

  private copyRegular(source: string, rel: string): void {
    let fd: number;
    try {
      fd = openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      this.skipped.push({ path: rel, reason: (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlink' : 'unreadable' });
      return;
    }
    try {
      // Checked again on the open descriptor: the entry may have been swapped since lstat.
      const stat = fstatSync(fd);
      if (!stat.isFile()) return void this.skipped.push({ path: rel, reason: 'not_regular' });
      if (stat.size > this.maxFile) return void this.skipped.push({ path: rel, reason: 'too_large' });
      if (this.total + stat.size > this.maxTotal) return void this.skipped.push({ path: rel, reason: 'total_cap' });
      const data = readCapped(fd, this.maxFile, stat.size);
      if (data === null) return void this.skipped.push({ path: rel, reason: 'too_large' });
      if (this.total + data.length > this.maxTotal) return void this.skipped.push({ path: rel, reason: 'total_cap' });
      writeNew(join(this.to, rel), data);
      this.total += data.length;
      this.copied.push(rel);
    } finally {
      closeSync(fd);
    }
  }
}

function kindOf(stat: Stats): 'file' | 'directory' | 'symlink' | 'other' {
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  return 'other';
}

/** Reads the file (expected `size` bytes); null if it holds more than `cap` (it grew after fstat). */
function readCapped(fd: number, cap: number, size: number): Buffer | null {
  const chunks: Buffer[] = [];
  let length = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(cap + 1 - length, Math.max(size - length + 1, 4096), 64 * 1024));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    length += n;
    if (length > cap) return null;
  }
  return Buffer.concat(chunks, length);
}

function writeNew(path: string, data: Buffer): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
  } finally {
    closeSync(fd);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new CodexRunnerError('invalid_option', `${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  return value;
}

function cannotMake(parentDir: string, error: unknown): CodexRunnerError {
  const detail = (error as NodeJS.ErrnoException).message ?? String(error);
  return new CodexRunnerError('invalid_option', `cannot create the per-attempt codex home under ${parentDir}: ${detail}. Create that directory (mode 0700) or fix the data dir.`, { cause: error });
}
