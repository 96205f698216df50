import { closeSync, constants, fstatSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from 'node:fs';
import { CodexRunnerError } from './errors.js';

/** Default cap of one copied file: 1 MiB. */
export const DEFAULT_ATTEMPT_HOME_MAX_FILE_BYTES = 1024 * 1024;

/** Default cap of everything copied into one attempt home: 16 MiB. */
export const DEFAULT_ATTEMPT_HOME_MAX_TOTAL_BYTES = 16 * 1024 * 1024;

/** At most this many entries are walked in a copied tree, and at most this deep. */
const MAX_SKILL_ENTRIES = 5_000;
const MAX_SKILL_DEPTH = 12;

/** Why a source entry was not copied. */
export type SkippedReason = 'symlink' | 'not_regular' | 'too_large' | 'total_cap' | 'unreadable' | 'too_many_entries' | 'too_deep';

/** A throwaway engine home for one attempt (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`). */
export interface AttemptHome {
  /** The directory to give the agent as its engine home (and to bind writable under bwrap). */
  path: string;
  /** Copied files, relative to the operator's home (`config.toml`, `skills/x/SKILL.md`). */
  copied: string[];
  /** Entries left out, relative to the operator's home, and why. */
  skipped: Array<{ path: string; reason: SkippedReason }>;
  /** Removes the whole directory; safe to call twice or after it is gone. */
  dispose(): void;
}

/** Inputs of {@link makeAttemptHome}. */
export interface MakeAttemptHomeOptions {
  /** For the error message: `codex`, `claude`. */
  engine: string;
  /** The `mkdtemp` prefix of the new directory: `codex-home-`, `claude-home-`. */
  prefix: string;
  /** The operator's engine home, read only. */
  operatorHome: string;
  /** An existing directory (or one whose parent exists) outside every workspace. */
  parentDir: string;
  /** Single files to copy, relative to `operatorHome`; a missing one is skipped silently. */
  files: readonly string[];
  /** Directory trees to copy, relative to `operatorHome` (e.g. `skills`). */
  trees: readonly string[];
  maxFileBytes?: number;
  maxTotalBytes?: number;
}

/**
 * Makes a fresh 0700 `mkdtemp` directory under `parentDir` and copies the named files and trees of the operator's engine
 * home into it: regular files only (`lstat`, opened with `O_NOFOLLOW`; symlinks and other kinds are skipped and
 * reported), each capped at `maxFileBytes` and all at `maxTotalBytes`, created 0600 with `O_EXCL`. Throws
 * {@link CodexRunnerError} (`invalid_option`) only when the directory itself cannot be made or a cap is not a positive
 * integer; a failure half-way removes the directory.
 * @example makeAttemptHome({ engine: 'codex', prefix: 'codex-home-', operatorHome, parentDir, files: ['config.toml'], trees: [] })
 */
export function makeAttemptHome(options: MakeAttemptHomeOptions): AttemptHome {
  const maxFile = positive(options.maxFileBytes, DEFAULT_ATTEMPT_HOME_MAX_FILE_BYTES, 'maxFileBytes');
  const maxTotal = positive(options.maxTotalBytes, DEFAULT_ATTEMPT_HOME_MAX_TOTAL_BYTES, 'maxTotalBytes');
  try {
    // One level only: a recursive mkdir under a pseudo file system can hang instead of failing.
    mkdirSync(options.parentDir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotMake(options, error);
  }
  let path: string;
  try {
    path = mkdtempSync(join(options.parentDir, options.prefix));
  } catch (error) {
    throw cannotMake(options, error);
  }
  const copier = new Copier(options.operatorHome, path, maxFile, maxTotal);
  try {
    for (const rel of options.files) copier.file(rel);
    for (const rel of options.trees) copier.tree(rel);
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

  /** Copies one regular file; a missing one is simply absent (the engines have defaults, and API-key users have no auth.json). */
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

function cannotMake(options: MakeAttemptHomeOptions, error: unknown): CodexRunnerError {
  const detail = (error as NodeJS.ErrnoException).message ?? String(error);
  return new CodexRunnerError(
    'invalid_option',
    `cannot create the per-attempt ${options.engine} home under ${options.parentDir}: ${detail}. Create that directory (mode 0700) or fix the data dir.`,
    { cause: error },
  );
}
