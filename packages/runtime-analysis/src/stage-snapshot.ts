/** A step attempt as the stage snapshot needs it. */
export interface TimedAttempt {
  step: string;
  attempt_no: number;
  exit_code: number | null;
  duration_ms: number;
  created_at: string;
}

/** Per-step timing. */
export interface StepTotal {
  step: string;
  attempts: number;
  total_duration_ms: number;
  avg_duration_ms: number;
  p50_duration_ms: number;
  p90_duration_ms: number;
  last_exit_code: number | null;
  share_of_total_pct: number;
}

/** The `stages` block of the run digest. */
export interface StageSnapshot {
  step_totals: StepTotal[];
  attempts_recent: Array<Pick<TimedAttempt, 'step' | 'attempt_no' | 'exit_code' | 'duration_ms' | 'created_at'>>;
  top_step: string;
  step_attempt_count: number;
  total_step_duration_ms: number;
}

/** Rounds to 2 decimals. */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * The percentile used by stage snapshots (shared with inspect-run): sort ascending; empty → 0; one value → it; else
 * linear interpolation at rank `clamp(p,0,1) × (n−1)`, truncated.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 1) return v[0]!;
  const rank = Math.min(1, Math.max(0, p)) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, v.length - 1);
  return Math.trunc(v[lo]! + (v[hi]! - v[lo]!) * (rank - lo));
}

/** Per-step totals over `attempts` (chronological), sorted by total duration descending (stable). */
export function stepTotals(attempts: readonly TimedAttempt[]): StepTotal[] {
  const by = new Map<string, { durations: number[]; last: number | null }>();
  let grand = 0;
  for (const a of attempts) {
    const d = Math.max(0, Math.trunc(Number(a.duration_ms) || 0));
    grand += d;
    const s = by.get(a.step) ?? { durations: [], last: null };
    s.durations.push(d);
    s.last = a.exit_code;
    by.set(a.step, s);
  }
  const rows: StepTotal[] = [];
  for (const [step, s] of by) {
    const total = s.durations.reduce((x, y) => x + y, 0);
    rows.push({
      step,
      attempts: s.durations.length,
      total_duration_ms: total,
      avg_duration_ms: Math.trunc(total / s.durations.length),
      p50_duration_ms: percentile(s.durations, 0.5),
      p90_duration_ms: percentile(s.durations, 0.9),
      last_exit_code: s.last,
      share_of_total_pct: grand === 0 ? 0 : round2((100 * total) / grand),
    });
  }
  return rows.map((r, i) => ({ r, i })).sort((a, b) => b.r.total_duration_ms - a.r.total_duration_ms || a.i - b.i).map((x) => x.r);
}

/**
 * The stage snapshot (durations per step) from a run's step attempts in chronological order (only the 600 most
 * recent are used).
 */
export function buildStageSnapshot(attempts: readonly TimedAttempt[]): StageSnapshot {
  const recent = attempts.slice(-600);
  const totals = stepTotals(recent);
  return {
    step_totals: totals,
    attempts_recent: recent.slice(-12).map((a) => ({
      step: a.step, attempt_no: a.attempt_no, exit_code: a.exit_code, duration_ms: a.duration_ms, created_at: a.created_at,
    })),
    top_step: totals[0]?.step ?? '',
    step_attempt_count: recent.length,
    total_step_duration_ms: totals.reduce((x, t) => x + t.total_duration_ms, 0),
  };
}
