import { formatDuration } from '@agentpr/reports/format-duration';

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A `*_ms` number as a person reads it (`duration: 12 min`), or undefined for any other entry. */
function durationEntry(key: string, value: unknown): [string, string] | undefined {
  if (typeof value !== 'number' || !key.endsWith('_ms') || key.length <= 3) return undefined;
  return [key.slice(0, -3), formatDuration(value)];
}

/** A readable, YAML-like rendering of a JSON value, for terminals; `*_ms` numbers read as durations ("12 min"). */
export function renderValue(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${indent}${scalar(value)}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}(none)`;
    return value
      .map((item) => (item !== null && typeof item === 'object' ? `${indent}-\n${renderValue(item, `${indent}  `)}` : `${indent}- ${scalar(item)}`))
      .join('\n');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return `${indent}(empty)`;
  return entries
    .map(([k, v]) => {
      if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
        return `${indent}${k}:\n${renderValue(v, `${indent}  `)}`;
      }
      const duration = durationEntry(k, v);
      if (duration) return `${indent}${duration[0]}: ${duration[1]}`;
      return `${indent}${k}: ${Array.isArray(v) ? '(none)' : scalar(v)}`;
    })
    .join('\n');
}

/** Shortens text to `max` characters with an ellipsis. */
export function clip(text: string | null | undefined, max: number): string {
  if (!text) return '';
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
