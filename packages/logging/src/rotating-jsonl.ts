import { chmodSync, createWriteStream, existsSync, fchmodSync, fstatSync, openSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { makeDirectory } from '@agentpr/workspace/directories';
import { AgentprError } from '../errors.js';

/** Options of {@link openAuditLog}. */
export interface AuditLogOptions {
  /** Rotate when the file would grow past this many bytes; default 10 MiB (W39). */
  maxBytes?: number;
  /** Rotated files to keep (`<file>.1` … `<file>.N`); default 5. */
  keepFiles?: number;
}

/** An append-only JSONL audit log. `write` never blocks on disk; `close` flushes. */
export interface AuditLog {
  readonly file: string;
  write(entry: Record<string, unknown>): void;
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

/** The directories `makeDirectory(dir)` is about to create, outermost first. */
function missingDirectories(dir: string): string[] {
  const missing: string[] = [];
  let current = resolve(dir);
  while (!statSync(current, { throwIfNoEntry: false })) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

/** Pending audit lines are written after this many milliseconds … */
const FLUSH_MS = 20;
/** … or as soon as this many bytes are pending. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Opens (creating its directories) a JSONL audit log, one compact object per line, rotated by size: past
 * `maxBytes` the file becomes `<file>.1`, older ones shift up to `keepFiles`, and a new file starts (SPEC §7.3,
 * W39). Lines are gathered for up to 20 ms and written through a buffered stream, so a crash may lose the last
 * few lines — the database, not the audit log, is the record. The file descriptor is opened synchronously, so a
 * line is never lost to a rotation that happens before the stream opens. The lines name clients and deliveries:
 * the file is 0600 whatever the umask (an existing wider file is narrowed), and directories made here are 0700.
 *
 * @example
 * const audit = openAuditLog('/var/lib/agentpr/reports/github_webhook_audit.jsonl');
 * audit.write({ ts: new Date().toISOString(), outcome: 'processed' });
 */
export function openAuditLog(file: string, options: AuditLogOptions = {}): AuditLog {
  const maxBytes = Math.max(1024, options.maxBytes ?? 10 * 1024 * 1024);
  const keep = Math.max(1, options.keepFiles ?? 5);
  try {
    const created = missingDirectories(dirname(file));
    makeDirectory(dirname(file));
    for (const dir of created) chmodSync(dir, 0o700);
  } catch (cause) {
    throw new AgentprError('invalid_input', `cannot create the directory of the audit log ${file}: ${(cause as Error).message}; pass --audit-log-file under a writable directory`, { cause });
  }
  let stream: WriteStream;
  let size = 0;
  const open = () => {
    const fd = openSync(file, 'a', 0o600);
    const stat = fstatSync(fd);
    if ((stat.mode & 0o077) !== 0) {
      try {
        fchmodSync(fd, 0o600);
      } catch {
        // Not ours to change (another owner): it keeps its mode.
      }
    }
    size = stat.size;
    stream = createWriteStream('', { fd, autoClose: true });
    stream.on('error', () => {
      // A full or vanished disk must not crash the server; the HTTP answers stay correct.
    });
  };
  const ended: Array<Promise<void>> = [];
  const endStream = (s: WriteStream) => new Promise<void>((resolve) => s.end(() => resolve()));
  const rotate = () => {
    ended.push(endStream(stream));
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    renameSync(file, `${file}.1`);
    open();
  };
  open();
  let closed = false;
  // Lines are gathered for a few milliseconds and written together: one write for many requests under load.
  let pending: string[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  const flushPending = () => {
    if (pending.length === 0) return;
    stream.write(pending.length === 1 ? pending[0]! : pending.join(''));
    pending = [];
    pendingBytes = 0;
  };
  return {
    file,
    write(entry) {
      if (closed) return;
      const line = `${JSON.stringify(entry)}\n`;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) {
        flushPending();
        try {
          rotate();
        } catch {
          // Rotation failed (permissions): keep appending to the current file.
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
    },
    flush: () =>
      new Promise<void>((resolve) => {
        if (closed || stream.writableEnded) return resolve();
        flushPending();
        // A write callback runs after every earlier write reached the file.
        stream.write('', () => resolve());
      }),
    async close() {
      if (closed) return;
      flushPending();
      closed = true;
      await Promise.all([...ended, endStream(stream)]);
    },
  };
}
