/**
 * The lenient integer parsing used for exit codes and usage: null → null; boolean → 0/1;
 * integer → itself; float → truncated; other values → their trimmed string parsed as a number and
 * truncated; an empty or unparseable string → null.
 *
 * @example
 * parseIntLoose(' 3.9 ') // → 3
 */
export function parseIntLoose(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'object') return null;
  const text = String(value).trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}
