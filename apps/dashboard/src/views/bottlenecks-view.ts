import { runBottlenecks, type SlowRun, type StepBottleneck } from '@agentpr/reports';
import { timeInStates, type StateDuration } from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';
import { windowParam, windowRange, type TimeWindow } from './window-param.js';

/** The windows the bottlenecks page offers. */
export const BOTTLENECK_WINDOWS = ['24h', '7d', '30d'] as const satisfies readonly TimeWindow[];
export type BottleneckWindow = (typeof BOTTLENECK_WINDOWS)[number];

/** The most recently updated runs whose time per state is measured. */
export const STATE_RUNS = 500;
/** The runs with the most recent step attempts whose time per step is measured (`run-bottlenecks --limit`). */
export const STEP_RUNS = 50;

/** What the bottlenecks page shows. */
export interface BottlenecksView {
  window: BottleneckWindow;
  since: Date;
  /** Time per state across the runs updated in the window, slowest median first; states no run left are omitted. */
  states: StateDuration[];
  /** Time per step (median, p90) across the {@link STEP_RUNS} runs with the newest attempts, slowest median first. */
  steps: StepBottleneck[];
  /** Those runs ranked by total step time, slowest first (at most 20). */
  slowest: SlowRun[];
  stepRuns: { scanned: number; analyzed: number };
}

/**
 * The bottlenecks page's data: `timeInStates` over the window (`?window=24h|7d|30d`, default 7d; anything else is a
 * `bad_request`) and `runBottlenecks` (@agentpr/reports) for the steps and the slowest runs. Read-only.
 */
export async function bottlenecksView(deps: DashboardDeps, query: URLSearchParams): Promise<BottlenecksView> {
  const window = windowParam(query, BOTTLENECK_WINDOWS, '7d');
  const range = windowRange(window, deps.clock(), 'hour');
  const [states, steps] = await Promise.all([
    timeInStates(deps.db, { since: range.since.toISOString(), limit: STATE_RUNS }),
    runBottlenecks(deps.app, { limit: STEP_RUNS }),
  ]);
  return {
    window,
    since: range.since,
    states: states.filter((s) => s.runs > 0).sort((a, b) => b.median_ms - a.median_ms || a.state.localeCompare(b.state)),
    steps: [...steps.step_bottlenecks].sort((a, b) => b.median_duration_ms - a.median_duration_ms || a.step.localeCompare(b.step)),
    slowest: steps.slowest_runs,
    stepRuns: { scanned: steps.scanned_runs, analyzed: steps.analyzed_runs },
  };
}
