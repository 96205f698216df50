import { describe, expect, it } from 'vitest';
import { renderValue, table } from './render.js';

describe('renderValue', () => {
  it('shows *_ms numbers as durations a person reads, under the name without _ms; other numbers stay as they are', () => {
    const text = renderValue({ ok: true, duration_ms: 725_000, timing: { step_window_ms: 850, run_wall_clock_ms: 3_900_000 }, attempts: 3, ms: 5 });
    expect(text).toBe(['ok: true', 'duration: 12 min', 'timing:', '  step_window: 850 ms', '  run_wall_clock: 1 h 5 min', 'attempts: 3', 'ms: 5'].join('\n'));
  });

  it('leaves a *_ms key that is not a number alone', () => {
    expect(renderValue({ duration_ms: null, elapsed_ms: 'n/a' })).toBe('duration_ms: -\nelapsed_ms: n/a');
  });
});

describe('table', () => {
  it('aligns columns and leaves the last one unpadded', () => {
    expect(table(['A', 'BB'], [['xyz', '1'], ['q', '22']])).toBe('A    BB\n---  --\nxyz  1\nq    22');
  });
});
