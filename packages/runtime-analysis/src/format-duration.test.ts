import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1 s'],
    [1000, '1 s'],
    [4200, '4.2 s'],
    [9949, '9.9 s'],
    [9960, '10 s'],
    [42_000, '42 s'],
    [59_499, '59 s'],
    [59_500, '1 min'],
    [90_000, '1 min 30 s'],
    [5 * 60_000, '5 min'],
    [10 * 60_000, '10 min'],
    [725_000, '12 min'],
    [59 * 60_000 + 29_000, '59 min'],
    [59 * 60_000 + 31_000, '1 h'],
    [65 * 60_000, '1 h 5 min'],
    [2 * 3_600_000, '2 h'],
    [23 * 3_600_000 + 59 * 60_000, '23 h 59 min'],
    [24 * 3_600_000, '1 d'],
    [51 * 3_600_000, '2 d 3 h'],
    [10 * 24 * 3_600_000 + 1_800_000, '10 d 1 h'],
  ])('formatDuration(%d) is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('a negative duration reads as 0 ms; a missing or non-finite one as "-"', () => {
    expect(formatDuration(-5)).toBe('0 ms');
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(undefined)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
