import type { RunState } from '@agentpr/state-machine';

// The dashboard's read queries (issue 18): their types here, the runs page in dashboard-run-page.ts, the time
// series in dashboard-time-series.ts.

/** How the runs page orders runs; every order ends with `run_id` so keyset pages never skip or repeat a run. */
export type RunSort = 'updated' | 'created' | 'repo' | 'state';

/** A runs-page request: filters (all must match), order, page size and the cursor of the page before. */
export interface RunPageQuery {
  /** Any of these states. */
  states?: readonly RunState[] | undefined;
  /** The repository owner (case-insensitive, as GitHub); with `repo`, one repository. */
  owner?: string | undefined;
  repo?: string | undefined;
  /** The exact campaign name. */
  campaign?: string | undefined;
  /** The grade of the run's newest graded attempt; `none`: runs without one. */
  verdict?: 'PASS' | 'RETRYABLE' | 'HUMAN_REVIEW' | 'none' | undefined;
  /** Default `updated`. */
  sort?: RunSort | undefined;
  /** Default `desc` (newest first; for `repo` and `state`, `asc` reads A→Z). */
  direction?: 'asc' | 'desc' | undefined;
  /** 1..200. */
  limit: number;
  /** {@link RunPage.next} of the page before; a cursor from another sort or a malformed one is a `invalid_input` StoreError. */
  cursor?: string | undefined;
}

/** One row of the runs page. */
export interface RunPageRow {
  run_id: string;
  owner: string;
  repo: string;
  campaign: string | null;
  current_state: RunState;
  last_verdict: string | null;
  last_error: string | null;
  pr_number: number | null;
  created_at: string;
  updated_at: string;
}

/** A page of runs, the cursor of the next page (null on the last), and how many runs match the filters. */
export interface RunPage {
  rows: RunPageRow[];
  next: string | null;
  total: number;
}

// The runs page's reads: dashboard-run-page.ts.
export { dashboardRunPage, RUN_PAGE_MAX_LIMIT } from './dashboard-run-page.js';

/** A window of time cut into buckets, optionally one campaign's runs only. */
export interface TimeBucketQuery {
  /** ISO time; the first bucket starts at or before it. */
  since: string;
  /** ISO time; default now (the caller's clock). */
  until: string;
  bucket: 'hour' | 'day';
  campaign?: string | undefined;
}

/** How many runs were in each state at the end of a bucket. */
export interface StateCountsBucket {
  /** ISO start of the bucket. */
  start: string;
  counts: Partial<Record<RunState, number>>;
}

/** Time runs spent in one state: completed stays only, per run added up, across the recent runs that left it. */
export interface StateDuration {
  state: RunState;
  runs: number;
  total_ms: number;
  median_ms: number;
  p90_ms: number;
}

/** Webhook deliveries received in a bucket, by outcome (`processed`, `ignored`, `duplicate`, `refused`, `pending`, …). */
export interface DeliveryBucket {
  start: string;
  total: number;
  by_outcome: Record<string, number>;
}

// Runs by state over time, time in states and webhook deliveries over time: dashboard-time-series.ts.
export { runStatesOverTime, timeInStates, webhookDeliveriesOverTime } from './dashboard-time-series.js';
