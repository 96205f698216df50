const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `big unit` plus `small unit` when the small part is not zero: "1 h 5 min", "2 d", "1 min 30 s". */
function pair(total: number, per: number, big: string, small: string): string {
  const high = Math.floor(total / per);
  const low = total % per;
  return low === 0 ? `${high} ${big}` : `${high} ${big} ${low} ${small}`;
}

/**
 * A duration in milliseconds as a person reads it, with at most two units: "850 ms", "4.2 s", "42 s",
 * "1 min 30 s", "12 min", "1 h 5 min", "2 d 3 h". Each form is rounded to its smallest unit; a negative duration
 * reads as "0 ms" and a missing or non-finite one as "-". For text only: JSON keeps its numeric `*_ms` fields.
 *
 * @example
 * formatDuration(725_000) // "12 min"
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const value = Math.max(0, ms);
  if (Math.round(value) < SECOND) return `${Math.round(value)} ms`;
  const tenths = Math.round(value / 100) / 10;
  if (tenths < 10) return `${Number(tenths.toFixed(1))} s`;
  const seconds = Math.round(value / SECOND);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 10 * 60) return pair(seconds, 60, 'min', 's');
  const minutes = Math.round(value / MINUTE);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return pair(minutes, 60, 'h', 'min');
  return pair(Math.round(value / HOUR), DAY / HOUR, 'd', 'h');
}
