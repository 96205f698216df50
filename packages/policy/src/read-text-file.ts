import { readFile } from 'node:fs/promises';

/**
 * Reads a UTF-8 file. Returns `undefined` when it does not exist; other failures throw. Loaders take one as a
 * parameter so tests and apps can supply their own.
 */
export type ReadTextFile = (path: string) => Promise<string | undefined>;

/** The default {@link ReadTextFile}: the file system. */
export const readTextFile: ReadTextFile = async (path) => {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
};

/** Parses JSON text, returning the parser's message instead of throwing. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** A short display of a bad value for error messages. */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
