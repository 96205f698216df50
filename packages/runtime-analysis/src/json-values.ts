/** A parsed JSON object (not an array, not null). */
export type Obj = Record<string, unknown>;

/** True for a JSON object (not an array, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as text: strings as they are, null and undefined as '', anything else through `String`. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** An event or item id: a non-blank string trimmed, or a number as text; null otherwise. */
export function idOf(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number') return String(v);
  return null;
}
