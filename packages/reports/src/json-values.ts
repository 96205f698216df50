type Obj = Record<string, unknown>;

/** The value as an object, or `{}`. */
export function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** The value as a string array (other items dropped), or `[]`. */
export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The value if it is a string, else `fallback`. */
export function text(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

/** The value if it is a finite number (truncated), else `fallback`. */
export function int(v: unknown, fallback: number | null): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

/** Rounds to 2 decimals; 0 when the denominator is 0. */
export function pct(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((10000 * count) / total) / 100;
}
