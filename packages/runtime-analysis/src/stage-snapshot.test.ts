import { describe, expect, it } from 'vitest';
import { buildStageSnapshot, percentile } from './stage-snapshot.js';

describe('percentile', () => {
  it('empty → 0, one value → it, otherwise truncated linear interpolation', () => {
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.9)).toBe(18);
    expect(percentile([3, 1, 2], 2)).toBe(3);
  });
});

describe('buildStageSnapshot', () => {
  it('sums per step, sorts by total (stable), shares and keeps the last 12 attempts', () => {
    const at = (step: string, d: number, exit = 0) => ({ step, attempt_no: 1, exit_code: exit, duration_ms: d, created_at: '2026-01-01T00:00:00.000Z' });
    const s = buildStageSnapshot([at('preflight', 100), at('agent', 900, 1), at('agent', 300, 0), at('finish', -50), at('prepare', 100)]);
    expect(s.step_totals.map((t) => [t.step, t.attempts, t.total_duration_ms, t.avg_duration_ms, t.last_exit_code, t.share_of_total_pct])).toEqual([
      ['agent', 2, 1200, 600, 0, 85.71],
      ['preflight', 1, 100, 100, 0, 7.14],
      ['prepare', 1, 100, 100, 0, 7.14],
      ['finish', 1, 0, 0, 0, 0],
    ]);
    expect(s.top_step).toBe('agent');
    expect(s.total_step_duration_ms).toBe(1400);
    expect(s.step_attempt_count).toBe(5);
    expect(buildStageSnapshot([]).top_step).toBe('');
  });
});
