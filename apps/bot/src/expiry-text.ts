import { formatDuration } from '@agentpr/reports/format-duration';

/**
 * When a PR request expires, as a person reads it next to the timestamp: "in 58 min", or "12 min ago" once it
 * has expired; the timestamp itself when it cannot be read.
 *
 * @example
 * expiryText('2026-11-26T11:00:00.000Z', new Date('2026-11-26T10:02:00.000Z')) // "in 58 min"
 */
export function expiryText(expiresAt: string, now: Date): string {
  const ms = Date.parse(expiresAt) - now.getTime();
  if (!Number.isFinite(ms)) return expiresAt;
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}
