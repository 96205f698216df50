import type { RejectionCategory } from '@agentpr/citizenship';
import type { RunState } from '@agentpr/state-machine';

/** The input of `sweepPrActivity`. */
export interface PrSweepInput {
  /** The sweep's now (default the context's clock). */
  now?: Date | undefined;
  /** Read GitHub and decide, but write nothing: no store change, no comment, no close. */
  dryRun?: boolean | undefined;
  /** PRs looked at per sweep (and runs backfilled), default 20: the manager's tick stays bounded. */
  limit?: number | undefined;
  /** A PR is read from GitHub at most once per this many minutes (its `checked_at`); default 15, 0 = every sweep. */
  minIntervalMinutes?: number | undefined;
}

/** What the sweep did (or, in a dry run, would do) about one PR. */
export type PrSweepOutcome =
  /** A PR linked by hand got its activity row; `opened_at` came from GitHub (`source`) or is now. */
  | { kind: 'backfilled'; opened_at: string; source: 'issue' | 'pull_list' | 'now' }
  | { kind: 'would_backfill' }
  /** Open, nothing to do now; `next` is the stale follow-up's next step and when it is due (null when off). */
  | { kind: 'waiting'; next: { step: 'followup' | 'close'; at: string } | null; note: string | null }
  /** The one follow-up was posted now, or found posted by a sweep that crashed before recording it. */
  | { kind: 'followed_up'; comment_id: string; found_posted: boolean }
  | { kind: 'would_follow_up' }
  /** The thank-you was posted, the PR closed and the run ended as SKIPPED (reason `stale`). */
  | { kind: 'stale_closed'; comment_id: string; state: RunState | null }
  | { kind: 'would_close' }
  /** A step is due but the campaign's schedule window is closed; it frees at `frees_at`. */
  | { kind: 'held'; step: 'followup' | 'close'; reason_code: 'outside_schedule'; frees_at: string | null }
  | { kind: 'merged'; merged_at: string }
  /** Closed without merge, and why (`@agentpr/citizenship` classifyRejection). */
  | { kind: 'closed'; closed_at: string; rejection_category: RejectionCategory; rejection_evidence: string; state: RunState | null }
  /** Another process works the run or already claimed the step; the next sweep looks again. */
  | { kind: 'busy'; reason: string }
  | { kind: 'failed'; error: string };

/** One PR the sweep looked at. */
export interface PrSweepItem {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number;
  first_response_at: string | null;
  last_maintainer_activity_at: string | null;
  outcome: PrSweepOutcome;
}

/**
 * The sweep's result: `swept` (possibly with failed items), or `no_github` when PRs wait to be read but no GitHub
 * token is configured (nothing was read or written).
 */
export type PrSweepResult =
  | { kind: 'swept'; dry_run: boolean; swept_at: string; items: PrSweepItem[] }
  | { kind: 'no_github'; dry_run: boolean; swept_at: string; message: string; waiting: number };

/** Counts of a sweep by outcome, for the manager's tick report and the CLI's one-line summary. */
export interface PrSweepSummary {
  /** The sweep's result kind, or `failed` when it threw (a policy file that does not parse, the store). */
  kind: PrSweepResult['kind'] | 'failed';
  looked_at: number;
  counts: Partial<Record<PrSweepOutcome['kind'], number>>;
  errors: string[];
}

/** Counts a sweep's items by outcome and lists its errors (`run_id: error`). */
export function prSweepSummary(result: PrSweepResult): PrSweepSummary {
  if (result.kind === 'no_github') return { kind: result.kind, looked_at: 0, counts: {}, errors: [result.message] };
  const counts: Partial<Record<PrSweepOutcome['kind'], number>> = {};
  for (const item of result.items) counts[item.outcome.kind] = (counts[item.outcome.kind] ?? 0) + 1;
  const errors = result.items.flatMap((i) => (i.outcome.kind === 'failed' ? [`${i.run_id} (PR #${i.pr_number}): ${i.outcome.error}`] : []));
  return { kind: result.kind, looked_at: result.items.length, counts, errors };
}
