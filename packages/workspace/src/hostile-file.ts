import { constants, existsSync } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Why a hostile file was not read or written. Match on `code`. */
export type AgentFileErrorCode = 'not_found' | 'symlink' | 'not_regular' | 'outside' | 'exists' | 'invalid_name' | 'io';

/** A refused or failed read/write of a file the agent could have touched: a code and a one-line message. */
export interface AgentFileFailure {
  ok: false;
  code: AgentFileErrorCode;
  /** One line: what failed, on which path, why. */
  message: string;
}

/** A file read by {@link readAgentFile}. */
export interface AgentFileRead {
  ok: true;
  /** At most `maxBytes` bytes. */
  data: Buffer;
  /** True when the file holds more than `maxBytes` bytes; `data` is its first `maxBytes`. */
  truncated: boolean;
  /** The file's size when it was opened. */
  size: number;
}

/** Options of {@link readAgentFile}. */
export interface ReadAgentFileOptions {
  /** The most bytes read; more sets `truncated`. */
  maxBytes: number;
  /**
   * A trusted directory the file must lie in: every directory between it and the file is opened without
   * following symlinks, so a symlinked parent is refused, and the file's parent must resolve inside it.
   */
  within?: string;
}

/** A file written by {@link writeOwnFile} or {@link copyAgentFile}. */
export interface OwnFileWritten {
  ok: true;
  path: string;
  bytes: number;
  /** For a copy: true when the source was longer than `maxBytes` and only its head was copied. */
  truncated: boolean;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;
const DIR_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_DIRECTORY;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NOCTTY;
// /proc/self/fd/<n>/<name> gives openat(2) semantics: <name> is looked up in the directory already opened.
const HAS_PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

function failure(code: AgentFileErrorCode, message: string): AgentFileFailure {
  return { ok: false, code, message: message.replace(/\s*\n\s*/g, ' ') };
}

function errnoFailure(error: unknown, path: string, what: string): AgentFileFailure {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return failure('symlink', `${what} ${path} is a symlink; agentpr does not follow symlinks in the workspace.`);
  if (code === 'ENOENT') return failure('not_found', `${what} ${path} does not exist.`);
  if (code === 'ENOTDIR') return failure('not_found', `${what} ${path}: a parent is not a directory.`);
  // A unix socket opened with O_NONBLOCK fails with ENXIO.
  if (code === 'ENXIO' || code === 'ENODEV') return failure('not_regular', `${what} ${path} is not a regular file.`);
  return failure('io', `cannot open ${what} ${path}: ${code ?? (error as Error).message}.`);
}

/** Opens `path` for reading without following a final symlink; with `within`, one directory at a time. */
async function openForRead(path: string, within: string | undefined): Promise<FileHandle | AgentFileFailure> {
  const target = resolve(path);
  if (within === undefined) {
    try {
      return await open(target, READ_FLAGS);
    } catch (error) {
      return errnoFailure(error, target, 'file');
    }
  }
  const root = resolve(within);
  const rel = relative(root, dirname(target));
  if (rel.startsWith('..') || isAbsolute(rel)) return failure('outside', `file ${target} is not inside ${root}.`);
  const parts = rel === '' ? [] : rel.split(sep);
  if (!HAS_PROC_FD) return openForReadPortable(target, root, parts);
  let dir: FileHandle;
  try {
    dir = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    return errnoFailure(error, root, 'directory');
  }
  try {
    let walked = root;
    for (const part of parts) {
      walked = join(walked, part);
      let next: FileHandle;
      try {
        next = await open(`/proc/self/fd/${dir.fd}/${part}`, DIR_FLAGS);
      } catch (error) {
        // O_NOFOLLOW|O_DIRECTORY on a symlink fails with ENOTDIR on Linux, not ELOOP: ask lstat which it was.
        const isLink = await lstat(walked).then((info) => info.isSymbolicLink(), () => false);
        if (isLink) return failure('symlink', `directory ${walked} is a symlink; agentpr does not follow symlinks in the workspace.`);
        return errnoFailure(error, walked, 'directory');
      }
      await dir.close();
      dir = next;
    }
    try {
      return await open(`/proc/self/fd/${dir.fd}/${basename(target)}`, READ_FLAGS);
    } catch (error) {
      return errnoFailure(error, target, 'file');
    }
  } finally {
    await dir.close().catch(() => {});
  }
}

/** Without /proc: lstat every directory below `root`, check the real parent, then open with O_NOFOLLOW. */
async function openForReadPortable(target: string, root: string, parts: string[]): Promise<FileHandle | AgentFileFailure> {
  let walked = root;
  for (const part of parts) {
    walked = join(walked, part);
    try {
      const info = await lstat(walked);
      if (info.isSymbolicLink()) return failure('symlink', `directory ${walked} is a symlink; agentpr does not follow symlinks in the workspace.`);
      if (!info.isDirectory()) return failure('not_found', `${walked} is not a directory.`);
    } catch (error) {
      return errnoFailure(error, walked, 'directory');
    }
  }
  try {
    const [realRoot, realParent] = await Promise.all([realpath(root), realpath(dirname(target))]);
    const rel = relative(realRoot, realParent);
    if (rel.startsWith('..') || isAbsolute(rel)) return failure('outside', `file ${target} resolves outside ${root}.`);
    return await open(target, READ_FLAGS);
  } catch (error) {
    return errnoFailure(error, target, 'file');
  }
}

/**
 * Reads a file the agent could have created or replaced (a contract, a task packet, the last message, a
 * report) as hostile input: opened with `O_NOFOLLOW|O_NONBLOCK|O_NOCTTY` (a symlink is refused, a FIFO does
 * not block), it must be a regular file (by `fstat` of the opened descriptor), and at most `maxBytes` are
 * read. With `within`, no directory between `within` and the file may be a symlink.
 *
 * @example
 * const read = await readAgentFile(join(runtimeDir, 'codex_last_message.txt'), { maxBytes: 256 * 1024, within: runtimeDir });
 * if (!read.ok) return fail(read.code, read.message);
 */
export async function readAgentFile(path: string, options: ReadAgentFileOptions): Promise<AgentFileRead | AgentFileFailure> {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 0) {
    return failure('invalid_name', `maxBytes must be a non-negative integer, got ${String(options.maxBytes)}.`);
  }
  const opened = await openForRead(path, options.within);
  if (!('fd' in opened)) return opened;
  const handle = opened;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return failure('not_regular', `file ${resolve(path)} is not a regular file (${kindOf(info)}).`);
    // One byte more than allowed tells a file that grew past maxBytes from one that is exactly maxBytes. The buffer
    // starts at the file's size (not maxBytes: zero-filling a large cap for every small file is slow) and grows if
    // the file does while it is read.
    const limit = options.maxBytes + 1;
    let buffer = Buffer.allocUnsafe(Math.min(limit, info.size + 1));
    let filled = 0;
    while (filled < limit) {
      if (filled === buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const truncated = filled > options.maxBytes;
    return { ok: true, data: buffer.subarray(0, Math.min(filled, options.maxBytes)), truncated, size: info.size };
  } catch (error) {
    return failure('io', `cannot read ${resolve(path)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  } finally {
    await handle.close().catch(() => {});
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

/**
 * Writes agentpr's own output `name` in `dir` (a directory agentpr made) as a NEW file, mode 0600, opened
 * with `O_CREAT|O_EXCL|O_NOFOLLOW`: a file or symlink the agent placed there first makes it fail with
 * `exists` instead of writing through it. `name` must be one path component.
 *
 * @example
 * const written = await writeOwnFile(reportsDir, 'run_1-attempt-2.json', JSON.stringify(report));
 */
export async function writeOwnFile(dir: string, name: string, data: string | Uint8Array): Promise<OwnFileWritten | AgentFileFailure> {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    return failure('invalid_name', `file name ${JSON.stringify(name)} must be one path component.`);
  }
  const target = join(resolve(dir), name);
  try {
    const info = await stat(dirname(target));
    if (!info.isDirectory()) return failure('not_found', `${dirname(target)} is not a directory.`);
  } catch (error) {
    return errnoFailure(error, dirname(target), 'directory');
  }
  let handle: FileHandle;
  try {
    handle = await open(target, WRITE_FLAGS, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ELOOP') {
      return failure('exists', `${target} already exists; agentpr writes only new files and does not overwrite or follow what is there.`);
    }
    return errnoFailure(error, target, 'file');
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await handle.writeFile(bytes);
    return { ok: true, path: target, bytes: bytes.byteLength, truncated: false };
  } catch (error) {
    return failure('io', `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * Copies a file the agent could have touched (`src`, read like {@link readAgentFile}) to a new file `name` in
 * agentpr's own `destDir` (written like {@link writeOwnFile}). At most `maxBytes` are copied; `truncated`
 * says when the source was longer.
 *
 * @example
 * const copied = await copyAgentFile(join(runtimeDir, 'report.json'), reportsDir, 'run_1-report.json', { maxBytes: 1 << 20, within: runtimeDir });
 */
export async function copyAgentFile(src: string, destDir: string, name: string, options: ReadAgentFileOptions): Promise<OwnFileWritten | AgentFileFailure> {
  const read = await readAgentFile(src, options);
  if (!read.ok) return read;
  const written = await writeOwnFile(destDir, name, read.data);
  return written.ok ? { ...written, truncated: read.truncated } : written;
}
