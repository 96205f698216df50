/** Props of {@link Time}. */
export interface TimeProps {
  /** An ISO time from the store; null, undefined or unparsable shows `—`. */
  iso: string | null | undefined;
  /** The dashboard's clock (`deps.clock()`), so pages and tests agree on "now". */
  now: Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "3 min ago", "5 h ago", "2 d ago", "in 4 min"; older than 30 days: the date (UTC). */
export function relativeTime(at: Date, now: Date): string {
  const delta = now.getTime() - at.getTime();
  const abs = Math.abs(delta);
  if (abs < 45_000) return 'just now';
  if (abs >= 30 * DAY) return at.toISOString().slice(0, 10);
  const [n, unit] = abs < HOUR ? [Math.round(abs / MINUTE), 'min'] : abs < DAY ? [Math.round(abs / HOUR), 'h'] : [Math.round(abs / DAY), 'd'];
  return delta >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** `2026-01-05 12:03:04 UTC`: the exact time, for tooltips. */
export function exactTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A time as `<time datetime title>`: relative text ("3 min ago"), the exact UTC time in the tooltip. */
export function Time({ iso, now }: TimeProps) {
  const at = iso ? new Date(iso) : undefined;
  if (!at || Number.isNaN(at.getTime())) return <span class="muted">—</span>;
  return (
    <time datetime={at.toISOString()} title={exactTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}
