import { getRun, listAttemptSummaries, runsByLatestAttempt } from '@agentpr/store';
import { percentile, stepTotals } from '@agentpr/runtime-analysis';
import type { ReportContext } from './report-context.js';
import { ReportError } from './errors.js';

/** Input of {@link runBottlenecks}. */
export interface RunBottlenecksInput {
  /** How many of the most recently active runs with attempts (default 20). */
  limit?: number;
  /** Attempts read per run, newest first (default 200). */
  attemptLimitPerRun?: number;
}

/** Per-step timing across runs. */
export interface StepBottleneck {
  step: string;
  samples: number;
  avg_duration_ms: number;
  median_duration_ms: number;
  p90_duration_ms: number;
  max_duration_ms: number;
  /** The step's attempts per agent engine that ran them (`{ codex: 3, claude: 2 }`); empty for steps no engine ran. */
  engines: Record<string, number>;
}

/** A run ranked by total step time. */
export interface SlowRun {
  run_id: string;
  repo: string;
  owner: string;
  state: string;
  prompt_version: string;
  total_step_duration_ms: number;
  top_step: string;
  top_step_duration_ms: number;
  updated_at: string;
}

/** The run-bottlenecks document. */
export interface RunBottlenecksResult {
  ok: true;
  scanned_runs: number;
  analyzed_runs: number;
  step_bottlenecks: StepBottleneck[];
  slowest_runs: SlowRun[];
}

/** The statistical median, truncated; 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return Math.trunc(v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2);
}

/**
 * run-bottlenecks: over the `limit` runs with the most recent step attempts, which steps are slow
 * (average, median, p90, max, and how many attempts each agent engine ran) and which runs took longest. Read-only.
 *
 * @example
 * const r = await runBottlenecks(ctx, { limit: 20 });
 * r.step_bottlenecks[0]; // {step: 'agent', samples: 31, avg_duration_ms: 412000, …, engines: {codex: 20, claude: 11}}
 */
export async function runBottlenecks(ctx: Pick<ReportContext, 'db'>, input: RunBottlenecksInput = {}): Promise<RunBottlenecksResult> {
  const limit = input.limit ?? 20;
  const perRun = input.attemptLimitPerRun ?? 200;
  if (!Number.isInteger(limit) || limit < 1) throw new ReportError('usage', `--limit must be an integer of at least 1, got ${limit}`);
  if (!Number.isInteger(perRun) || perRun < 1) throw new ReportError('usage', `--attempt-limit-per-run must be an integer of at least 1, got ${perRun}`);
  const runIds = await runsByLatestAttempt(ctx.db, { limit });
  const durations = new Map<string, number[]>();
  const engines = new Map<string, Map<string, number>>();
  const slow: SlowRun[] = [];
  let analyzed = 0;
  for (const runId of runIds) {
    const found = await getRun(ctx.db, runId);
    const attempts = (await listAttemptSummaries(ctx.db, runId, { limit: perRun })).reverse();
    if (attempts.length === 0) continue;
    analyzed++;
    for (const a of attempts) {
      const list = durations.get(a.step) ?? [];
      list.push(Math.max(0, a.duration_ms));
      durations.set(a.step, list);
      const counts = engines.get(a.step) ?? new Map<string, number>();
      if (a.engine) counts.set(a.engine, (counts.get(a.engine) ?? 0) + 1);
      engines.set(a.step, counts);
    }
    const totals = stepTotals(attempts);
    slow.push({
      run_id: runId,
      repo: found?.run.repo ?? '',
      owner: found?.run.owner ?? '',
      state: found?.state.current_state ?? '',
      prompt_version: found?.run.prompt_version ?? '',
      total_step_duration_ms: totals.reduce((x, t) => x + t.total_duration_ms, 0),
      top_step: totals[0]?.step ?? '',
      top_step_duration_ms: totals[0]?.total_duration_ms ?? 0,
      updated_at: found?.state.updated_at ?? found?.run.updated_at ?? '',
    });
  }
  const steps: StepBottleneck[] = [...durations.entries()].map(([step, d]) => ({
    step,
    samples: d.length,
    avg_duration_ms: Math.trunc(d.reduce((x, y) => x + y, 0) / d.length),
    median_duration_ms: median(d),
    p90_duration_ms: percentile(d, 0.9),
    max_duration_ms: Math.max(...d),
    // fromEntries defines own properties: an engine value such as `__proto__` stays a plain key.
    engines: Object.fromEntries(engines.get(step) ?? []),
  }));
  steps.sort((a, b) => b.avg_duration_ms - a.avg_duration_ms);
  const slowest = slow
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.total_step_duration_ms - a.r.total_step_duration_ms || a.i - b.i)
    .slice(0, 20)
    .map((x) => x.r);
  return { ok: true, scanned_runs: runIds.length, analyzed_runs: analyzed, step_bottlenecks: steps, slowest_runs: slowest };
}
