import type { Tone } from './state-badge.js';

/** Props of {@link VerdictBadge}. */
export interface VerdictBadgeProps {
  /** `PASS`, `RETRYABLE`, `HUMAN_REVIEW`, or null/undefined for an attempt without a grade. */
  verdict: string | null | undefined;
}

const TONES: Readonly<Record<string, Tone>> = { PASS: 'ok', RETRYABLE: 'warn', HUMAN_REVIEW: 'human' };

/** An attempt's verdict as a badge: the grade as text (`no verdict` when there is none), coloured by grade. */
export function VerdictBadge({ verdict }: VerdictBadgeProps) {
  if (!verdict) return <span class="badge tone-idle">no verdict</span>;
  return <span class={`badge tone-${TONES[verdict] ?? 'bad'}`}>{verdict.slice(0, 40)}</span>;
}
