import { RUN_STATES } from '@agentpr/state-machine';
import type { CampaignRunFacts } from '@agentpr/store';
import { median } from './run-bottlenecks.js';

// The funnel figures of a campaign, computed from its runs' facts (`campaignRunFacts`): pure, so the report and its
// tests agree on one definition each. The definitions are also printed with the report (`FIGURE_DEFINITIONS`).

/** The funnel's stages, in order. */
export const FUNNEL_STAGES = ['created', 'prepared', 'pushed', 'pr_opened', 'merged'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** The categories a closed-unmerged PR's rejection is grouped into (`pr_activity.rejection_category`). */
export const REJECTION_CATEGORIES = ['duplicate', 'unwanted_change', 'ai_policy', 'ci_failing', 'no_response', 'other'] as const;
export type RejectionCategory = (typeof REJECTION_CATEGORIES)[number];

/** What each figure means, printed with the report so nobody has to guess. */
export const FIGURE_DEFINITIONS = {
  funnel:
    'runs that reached each stage at least: created (every run), prepared (a successful run-prepare), pushed (the branch reached the fork), ' +
    'pr_opened (agentpr recorded the PR), merged (the PR was merged); a run that reached a later stage counts in every earlier one',
  merge_rate: 'merged / (merged + closed unmerged); open PRs are not counted; null while no PR has been merged or closed',
  stale: 'PRs agentpr closed after its follow-up went unanswered (pr_activity.stale_closed_at), or runs ended SKIPPED with reason stale',
  time_to_first_response: 'from the PR opening to the first maintainer comment or review, median over PRs that got one',
  time_to_merge: 'from the PR opening to its merge, median over merged PRs',
  cost:
    'agent tokens priced with the policy\'s pricing table: cached input at the cached price, the rest of the input at the input price, ' +
    'output (reasoning included) at the output price; per merged PR = total cost / merged PRs',
  rejections: 'closed-unmerged PRs by the reason read from their close comments and reviews; unclassified = not read yet',
} as const;

/** The PRs of a campaign as maintainers left them. */
export interface PrFigures {
  opened: number;
  merged: number;
  closed_unmerged: number;
  open: number;
  stale: number;
}

/** A median over the PRs it applies to. */
export interface MedianFigure {
  median_ms: number | null;
  count: number;
}

/** One bar of the time-to-merge histogram: merged PRs whose time to merge is in [from_ms, to_ms). */
export interface MergeBucket {
  label: string;
  from_ms: number;
  to_ms: number | null;
  count: number;
}

/** The funnel figures of a set of runs. */
export interface CampaignFigures {
  runs: number;
  by_state: Record<string, number>;
  funnel: Array<{ stage: FunnelStage; runs: number }>;
  prs: PrFigures;
  merge_rate: number | null;
  time_to_first_response: MedianFigure;
  time_to_merge: MedianFigure & { histogram: MergeBucket[] };
  rejections: Record<RejectionCategory | 'unclassified', number>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKETS: ReadonlyArray<[string, number, number | null]> = [
  ['< 1 h', 0, HOUR],
  ['1-6 h', HOUR, 6 * HOUR],
  ['6-24 h', 6 * HOUR, DAY],
  ['1-3 d', DAY, 3 * DAY],
  ['3-7 d', 3 * DAY, 7 * DAY],
  ['7-14 d', 7 * DAY, 14 * DAY],
  ['14-30 d', 14 * DAY, 30 * DAY],
  ['>= 30 d', 30 * DAY, null],
];

function elapsed(from: string | null, to: string | null): number | null {
  if (from === null || to === null) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/** The merged state of a run's PR, as the funnel counts it. */
export function prOutcome(r: CampaignRunFacts): 'none' | 'merged' | 'closed_unmerged' | 'open' {
  if (r.opened_at === null && r.merged_at === null) return 'none';
  if (r.merged_at !== null) return 'merged';
  if (r.closed_at !== null || r.stale_closed_at !== null) return 'closed_unmerged';
  return 'open';
}

/** Whether a run counts as stale (see {@link FIGURE_DEFINITIONS}). */
export function isStale(r: CampaignRunFacts): boolean {
  return r.stale_closed_at !== null || (r.current_state === 'SKIPPED' && (r.last_error ?? '').startsWith('skip:stale:'));
}

/** How far a run got: the index of its last funnel stage. */
function reached(r: CampaignRunFacts): number {
  const outcome = prOutcome(r);
  if (outcome === 'merged') return 4;
  if (outcome !== 'none') return 3;
  if (r.pushed) return 2;
  return r.prepared ? 1 : 0;
}

function histogram(values: readonly number[]): MergeBucket[] {
  return BUCKETS.map(([label, from, to]) => ({ label, from_ms: from, to_ms: to, count: values.filter((v) => v >= from && (to === null || v < to)).length }));
}

/**
 * The funnel, PR outcomes, merge rate, response and merge medians, and rejection reasons of a set of runs.
 *
 * @example
 * campaignFigures(await campaignRunFacts(db, { campaign: 'acme-sdk' })).merge_rate // → 0.5
 */
export function campaignFigures(runs: readonly CampaignRunFacts[]): CampaignFigures {
  const byState: Record<string, number> = {};
  for (const state of RUN_STATES) byState[state] = 0;
  const stages = FUNNEL_STAGES.map(() => 0);
  const prs: PrFigures = { opened: 0, merged: 0, closed_unmerged: 0, open: 0, stale: 0 };
  const rejections = Object.fromEntries([...REJECTION_CATEGORIES, 'unclassified'].map((c) => [c, 0])) as CampaignFigures['rejections'];
  const responses: number[] = [];
  const merges: number[] = [];
  for (const r of runs) {
    byState[r.current_state] = (byState[r.current_state] ?? 0) + 1;
    const last = reached(r);
    for (let i = 0; i <= last; i++) stages[i]! += 1;
    if (isStale(r)) prs.stale += 1;
    const outcome = prOutcome(r);
    if (outcome === 'none') continue;
    prs.opened += 1;
    prs[outcome] += 1;
    const response = elapsed(r.opened_at, r.first_response_at);
    if (response !== null) responses.push(response);
    const merge = elapsed(r.opened_at, r.merged_at);
    if (outcome === 'merged' && merge !== null) merges.push(merge);
    if (outcome === 'closed_unmerged') {
      const category = r.rejection_category === null ? 'unclassified' : (REJECTION_CATEGORIES as readonly string[]).includes(r.rejection_category) ? (r.rejection_category as RejectionCategory) : 'other';
      rejections[category] += 1;
    }
  }
  const decided = prs.merged + prs.closed_unmerged;
  return {
    runs: runs.length,
    by_state: byState,
    funnel: FUNNEL_STAGES.map((stage, i) => ({ stage, runs: stages[i]! })),
    prs,
    merge_rate: decided === 0 ? null : Math.round((prs.merged / decided) * 10_000) / 10_000,
    time_to_first_response: { median_ms: responses.length ? median(responses) : null, count: responses.length },
    time_to_merge: { median_ms: merges.length ? median(merges) : null, count: merges.length, histogram: histogram(merges) },
    rejections,
  };
}
