import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `n` lines of `text`, trimmed; `""` for empty text. */
export function tailLines(text: string | null | undefined, n = 20): string {
  const t = (text ?? '').trim();
  if (!t) return '';
  return t.split('\n').slice(-n).join('\n');
}

/** Reads at most the last `maxBytes` of a file as UTF-8; undefined when it cannot be read. */
export function readTail(path: string, maxBytes = 1024 * 1024): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A report file's JSON object, or an error code saying why there is none. */
export function readJsonObject(path: string, maxBytes = 32 * 1024 * 1024): { ok: true; value: Record<string, unknown> } | { ok: false; error: 'not_found' | 'unreadable' | 'too_large' | 'invalid_json' | 'not_an_object' } {
  let fd: number | undefined;
  let text: string;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    if (size > maxBytes) return { ok: false, error: 'too_large' };
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    text = buf.toString('utf8');
  } catch (err) {
    return { ok: false, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'unreadable' };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not_an_object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch {
    return { ok: false, error: 'invalid_json' };
  }
}
