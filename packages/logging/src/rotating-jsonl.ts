import { chmodSync, closeSync, constants, createWriteStream, existsSync, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Options of {@link openRotatingJsonl}. */
export interface RotatingJsonlOptions {
  /** Rotate when the file would grow past this many bytes; default 10 MiB. */
  maxBytes?: number;
  /** Rotated files to keep (`<file>.1` … `<file>.N`); default 5. 0 removes the file instead of rotating it. */
  keepFiles?: number;
  /**
   * `true`: every line is written (opening the file anew, never through a symlink) before `write` returns, and a
   * failure goes to `onError` — for a low-rate log whose lines must be on disk in order (the bot). Default
   * `false`: lines are gathered for up to 20 ms and written together through one open descriptor (the webhook).
   */
  sync?: boolean;
  /** Called when a line cannot be written; the writer never throws from `write`. */
  onError?: (error: unknown) => void;
}

/** An append-only JSONL file rotated by size. `write` never throws; `close` flushes. */
export interface RotatingJsonl {
  readonly file: string;
  /** Appends one object as one compact JSON line. */
  write(entry: object): void;
  /** Appends one line that is already JSON (no newline). */
  writeLine(json: string): void;
  /** Resolves when everything written so far is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Longest header-derived audit field (event, delivery, path, client); longer values are cut with `…`. */
export const AUDIT_FIELD_MAX_CHARS = 100;

/**
 * Cuts a value taken from request headers or the URL to {@link AUDIT_FIELD_MAX_CHARS} characters, so a rejected
 * request cannot copy kilobytes of attacker text into every audit line.
 */
export function truncateAuditField(value: string, max = AUDIT_FIELD_MAX_CHARS): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * Shifts `<file>.1…<file>.<keep-1>` up by one, drops the oldest, and renames `file` to `<file>.1`. With `keep` 0
 * the file is simply removed.
 */
export function rotateFile(file: string, keep: number): void {
  if (keep < 1) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(`${file}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  renameSync(file, `${file}.1`);
}

/** Creates `dir` and its missing parents; the ones made here are 0700 whatever the umask. */
function makePrivateDirectory(dir: string): void {
  const missing: string[] = [];
  let current = resolve(dir);
  while (!statSync(current, { throwIfNoEntry: false })) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  // One level at a time: a recursive mkdir under /proc never returns (Node loops on ENOENT there).
  for (const made of missing) {
    try {
      mkdirSync(made, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile by someone else: theirs
      throw error;
    }
    chmodSync(made, 0o700);
  }
}

const OPEN_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens the file for appending (never through a symlink), checks it is a regular file, narrows it to 0600. */
function openPrivateFile(file: string, onError: (error: unknown) => void): { fd: number; size: number } {
  const fd = openSync(file, OPEN_FLAGS, 0o600);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file; point the log at a file`);
    // The creation mode is filtered by the umask, and an older file may be wider: set it.
    if ((stat.mode & 0o777) !== 0o600) {
      try {
        fchmodSync(fd, 0o600);
      } catch (error) {
        onError(error); // not our file to chmod; the line still matters more than its mode
      }
    }
    return { fd, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Lines are gathered for this many milliseconds … */
const FLUSH_MS = 20;
/** … or until this many bytes are pending. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Opens (creating its directories, 0700) a JSONL file, one compact object per line, rotated by size: past
 * `maxBytes` the file becomes `<file>.1`, older ones shift up to `keepFiles`, and a new file starts. The lines name
 * clients, chats and deliveries: the file is 0600 whatever the umask (an existing wider
 * file is narrowed) and is never opened through a symlink. Buffered (default): a crash may lose the last 20 ms of
 * lines — the database, not the audit log, is the record. `sync`: see {@link RotatingJsonlOptions.sync}.
 * Throws only when the directory cannot be made, or (buffered) the file cannot be opened.
 *
 * @example
 * const audit = openRotatingJsonl('/var/lib/agentpr/reports/github_webhook_audit.jsonl', { maxBytes: 10_485_760, keepFiles: 5 });
 * audit.write({ ts: new Date().toISOString(), outcome: 'processed' });
 */
export function openRotatingJsonl(file: string, options: RotatingJsonlOptions = {}): RotatingJsonl {
  const maxBytes = Math.max(1, options.maxBytes ?? 10 * 1024 * 1024);
  const keep = Math.max(0, options.keepFiles ?? 5);
  const onError = options.onError ?? (() => {});
  makePrivateDirectory(dirname(file));
  return options.sync ? syncWriter(file, maxBytes, keep, onError) : bufferedWriter(file, maxBytes, keep, onError);
}

function syncWriter(file: string, maxBytes: number, keep: number, onError: (error: unknown) => void): RotatingJsonl {
  const writeLine = (json: string) => {
    const line = `${json}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      let opened = openPrivateFile(file, onError);
      if (opened.size > 0 && opened.size + bytes > maxBytes) {
        closeSync(opened.fd);
        rotateFile(file, keep);
        opened = openPrivateFile(file, onError);
      }
      try {
        writeSync(opened.fd, line);
      } finally {
        closeSync(opened.fd);
      }
    } catch (error) {
      onError(error);
    }
  };
  return { file, write: (entry) => writeLine(JSON.stringify(entry)), writeLine, flush: async () => {}, close: async () => {} };
}

function bufferedWriter(file: string, maxBytes: number, keep: number, onError: (error: unknown) => void): RotatingJsonl {
  let stream!: WriteStream;
  let size = 0;
  const open = () => {
    const opened = openPrivateFile(file, onError);
    size = opened.size;
    stream = createWriteStream('', { fd: opened.fd, autoClose: true });
    // A full or vanished disk must not crash the process; report it and go on.
    stream.on('error', onError);
  };
  const ended: Array<Promise<void>> = [];
  const endStream = (s: WriteStream) => new Promise<void>((done) => s.end(() => done()));
  open();
  let closed = false;
  let pending: string[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  const flushPending = () => {
    if (pending.length === 0) return;
    stream.write(pending.length === 1 ? pending[0]! : pending.join(''));
    pending = [];
    pendingBytes = 0;
  };
  const writeLine = (json: string) => {
    if (closed) return;
    const line = `${json}\n`;
    const bytes = Buffer.byteLength(line);
    if (size > 0 && size + bytes > maxBytes) {
      flushPending();
      try {
        ended.push(endStream(stream));
        rotateFile(file, keep);
        open();
      } catch (error) {
        onError(error); // rotation failed (permissions): keep appending to the current file
        if (stream.writableEnded) open();
      }
    }
    pending.push(line);
    pendingBytes += bytes;
    size += bytes;
    if (pendingBytes >= FLUSH_BYTES) flushPending();
    else if (!scheduled) {
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        flushPending();
      }, FLUSH_MS).unref();
    }
  };
  return {
    file,
    write: (entry) => writeLine(JSON.stringify(entry)),
    writeLine,
    flush: () =>
      new Promise<void>((done) => {
        if (closed || stream.writableEnded) return done();
        flushPending();
        // A write callback runs after every earlier write reached the file.
        stream.write('', () => done());
      }),
    async close() {
      if (closed) return;
      flushPending();
      closed = true;
      await Promise.all([...ended, endStream(stream)]);
    },
  };
}
