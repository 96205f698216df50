import { StoreError } from './errors.js';

/** The position of a keyset page: the sort it belongs to, the sort key of the last row shown, and that row's run id. */
export interface PageCursor {
  sort: string;
  direction: 'asc' | 'desc';
  key: string[];
  runId: string;
}

/** Longest cursor accepted: a few keys of ISO times, states and repository names, base64url-encoded. */
const MAX_CURSOR_LENGTH = 2_048;

/** Encodes a cursor as base64url JSON; opaque to callers (they pass it back as it came). */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.direction, cursor.key, cursor.runId]), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} for this `sort` and `direction` with `keys` sort keys. A malformed
 * cursor, or one from another sort or direction, is an `invalid_input` StoreError in one line.
 */
export function decodeCursor(text: string, expected: { sort: string; direction: 'asc' | 'desc'; keys: number }): PageCursor {
  const bad = (why: string) => new StoreError('invalid_input', `invalid cursor: ${why}; start again from the first page.`);
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw bad('not a cursor of this list');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor of this list');
  }
  if (!Array.isArray(value) || value.length !== 4) throw bad('not a cursor of this list');
  const [sort, direction, key, runId] = value as unknown[];
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((k) => typeof k === 'string');
  if (typeof sort !== 'string' || (direction !== 'asc' && direction !== 'desc') || !strings(key) || typeof runId !== 'string') {
    throw bad('not a cursor of this list');
  }
  if (sort !== expected.sort || direction !== expected.direction || key.length !== expected.keys) {
    throw bad(`it belongs to another order than ${expected.sort} ${expected.direction}`);
  }
  return { sort, direction, key, runId };
}
