// Control characters (C0 but tab and newline, DEL, C1) and the bidirectional controls (embeddings, overrides,
// isolates, marks) that could reorder what a reader sees. Hostile names and agent messages carry them.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** The replacement shown where an unsafe character was: visible, so a reader sees that something was there. */
export const REPLACEMENT = '\uFFFD';

/**
 * `text` with control and bidi-control characters replaced by U+FFFD and capped at `max` characters (code points;
 * `…` marks the cut). For attribute values and titles; in content use {@link Truncate}, which also keeps the full
 * text in a tooltip. HTML escaping is not done here: JSX does it.
 */
export function safeText(text: string, max: number): string {
  // Slice before sanitising, so a multi-megabyte string costs no more than a short one.
  const head = text.length > max * 2 + 2 ? text.slice(0, max * 2 + 2) : text;
  const clean = head.replace(UNSAFE, REPLACEMENT);
  const points = Array.from(clean);
  if (points.length <= max && head.length === text.length) return clean;
  return `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Whether {@link safeText} would cut `text` at `max`. */
export function isLonger(text: string, max: number): boolean {
  return text.length > max && Array.from(text.length > max * 2 + 2 ? text.slice(0, max * 2 + 2) : text).length > max;
}
