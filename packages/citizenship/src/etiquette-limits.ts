import type { EffectiveEtiquette } from '@agentpr/policy';

/** The four PR limits of a campaign's etiquette (0 = no cap). */
export const LIMIT_NAMES = ['max_open_prs_per_repo', 'max_open_prs_per_owner', 'max_prs_per_day', 'max_prs_per_hour'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** An open agent PR that counts against an open-PR cap. */
export interface OpenAgentPr {
  runId: string;
  owner: string;
  repo: string;
  prNumber: number;
}

/** What the limits are judged on: the caps, the open agent PRs, the campaign's PR openings, and now. */
export interface LimitInput {
  limits: Pick<EffectiveEtiquette, LimitName>;
  campaign: string;
  owner: string;
  repo: string;
  /** Open agent PRs in this repository (any campaign), the run's own excluded. */
  openInRepo: readonly OpenAgentPr[];
  /** Open agent PRs across the owner's repositories (any campaign), the run's own excluded. */
  openForOwner: readonly OpenAgentPr[];
  /** When the campaign opened PRs, at least over the last 24 hours (older ones are ignored). */
  openings: readonly Date[];
  now: Date;
}

/** One limit that holds a PR back. */
export interface LimitHold {
  limit: LimitName;
  /** What counts against it now. */
  count: number;
  max: number;
  /** When it frees; null when it frees only when a PR is merged or closed (open-PR caps). */
  freesAt: Date | null;
  /** One line: what holds and when it frees, e.g. `2 PRs opened by campaign example in the last hour (limit 2); frees at 14:05 UTC`. */
  message: string;
  /** The open PRs that fill an open-PR cap. */
  prs?: OpenAgentPr[];
}

/** Which limits hold a PR back (none: the PR may open), and the one that frees last. */
export interface LimitState {
  holds: LimitHold[];
  /** The hold that frees last (an open-PR cap, which frees at an unknown time, before any dated one); null when none holds. */
  binding: LimitHold | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LISTED_PRS = 5;

/** `14:05 UTC` on the day of `now`, else `2026-11-24 14:05 UTC`; rounded up to the minute, so asking then succeeds. */
export function formatUtc(instant: Date, now: Date): string {
  const up = new Date(Math.ceil(instant.getTime() / 60_000) * 60_000).toISOString();
  const sameDay = up.slice(0, 10) === now.toISOString().slice(0, 10);
  return `${sameDay ? '' : `${up.slice(0, 10)} `}${up.slice(11, 16)} UTC`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function openCap(limit: 'max_open_prs_per_repo' | 'max_open_prs_per_owner', max: number, prs: readonly OpenAgentPr[], where: string): LimitHold | null {
  if (max === 0 || prs.length < max) return null;
  const listed = prs.slice(0, LISTED_PRS).map((p) => `${p.owner}/${p.repo}#${p.prNumber}`).join(', ');
  const more = prs.length > LISTED_PRS ? ` and ${prs.length - LISTED_PRS} more` : '';
  return {
    limit, count: prs.length, max, freesAt: null, prs: [...prs],
    message: `${plural(prs.length, 'open agent PR')} in ${where} (limit ${max}); frees when one of these PRs is merged or closed: ${listed}${more}`,
  };
}

function rate(limit: 'max_prs_per_hour' | 'max_prs_per_day', max: number, input: LimitInput): LimitHold | null {
  if (max === 0) return null;
  const span = limit === 'max_prs_per_hour' ? HOUR_MS : DAY_MS;
  const since = input.now.getTime() - span;
  const inWindow = input.openings.map((d) => d.getTime()).filter((t) => t > since).sort((a, b) => a - b);
  if (inWindow.length < max) return null;
  // Below the limit again once enough of the oldest openings have left the window (the oldest alone when count = max).
  const freesAt = new Date((inWindow[inWindow.length - max] ?? since) + span);
  const period = limit === 'max_prs_per_hour' ? 'hour' : '24 hours';
  return {
    limit, count: inWindow.length, max, freesAt,
    message: `${plural(inWindow.length, 'PR')} opened by campaign ${input.campaign} in the last ${period} (limit ${max}); frees at ${formatUtc(freesAt, input.now)}`,
  };
}

/**
 * Which of a campaign's PR limits hold a PR back now, and when each frees: the open-PR caps per repository and per
 * owner (count the open agent PRs of any campaign; they free when one of them is merged or closed, at a time nobody
 * knows), and the rolling hourly and daily opening limits of the campaign (free when the oldest opening in the
 * window is an hour or a day old). A limit of 0 is no cap. Pure: the caller counts.
 *
 * @example
 * limitState({ limits, campaign: 'example', owner: 'o', repo: 'r', openInRepo: [], openForOwner: [], openings: [t1, t2], now });
 * // → { holds: [{ limit: 'max_prs_per_hour', count: 2, max: 2, freesAt: t1 + 1 h, message: '2 PRs opened …' }], binding: … }
 */
export function limitState(input: LimitInput): LimitState {
  const { limits } = input;
  const holds = [
    openCap('max_open_prs_per_repo', limits.max_open_prs_per_repo, input.openInRepo, `${input.owner}/${input.repo}`),
    openCap('max_open_prs_per_owner', limits.max_open_prs_per_owner, input.openForOwner, `${input.owner}'s repositories`),
    rate('max_prs_per_day', limits.max_prs_per_day, input),
    rate('max_prs_per_hour', limits.max_prs_per_hour, input),
  ].filter((hold): hold is LimitHold => hold !== null);
  return { holds, binding: latestToFree(holds) };
}

/** Of several holds, the one that frees last; an unknown time (null) counts as latest, the first listed wins a tie. */
export function latestToFree<T extends { freesAt: Date | null }>(holds: readonly T[]): T | null {
  let latest: T | null = null;
  for (const hold of holds) {
    if (latest === null) latest = hold;
    else if (latest.freesAt !== null && (hold.freesAt === null || hold.freesAt.getTime() > latest.freesAt.getTime())) latest = hold;
  }
  return latest;
}
