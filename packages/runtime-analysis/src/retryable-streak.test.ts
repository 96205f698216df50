import { describe, expect, it } from 'vitest';
import { retryableStreak } from './retryable-streak.js';

describe('retryableStreak', () => {
  it('counts consecutive RETRYABLE verdicts of the same stage, newest first', () => {
    const prev = [
      { step: 'agent', grade: 'RETRYABLE', stage: 'IMPLEMENTING' },
      { step: 'preflight', grade: 'RETRYABLE', stage: 'IMPLEMENTING' },
      { step: 'agent', grade: 'PASS', stage: 'IMPLEMENTING' },
      { step: 'agent', grade: 'RETRYABLE', stage: 'IMPLEMENTING' },
    ];
    expect(retryableStreak(prev, 'IMPLEMENTING')).toBe(3);
  });

  it('a stage change or HUMAN_REVIEW ends the streak; attempts without a verdict are skipped', () => {
    expect(retryableStreak([{ step: 'agent', grade: 'RETRYABLE', stage: 'DISCOVERY' }], 'IMPLEMENTING')).toBe(1);
    expect(retryableStreak([{ step: 'agent', grade: 'HUMAN_REVIEW', stage: 'IMPLEMENTING' }, { step: 'agent', grade: 'RETRYABLE', stage: 'IMPLEMENTING' }], 'IMPLEMENTING')).toBe(1);
    expect(retryableStreak([{ step: 'preflight', grade: null, stage: null }, { step: 'run_finish', grade: null, stage: null }, { step: 'agent', grade: 'RETRYABLE', stage: 'IMPLEMENTING' }], 'IMPLEMENTING')).toBe(2);
  });

  it('with PASSes in the history the 4th attempt can still be RETRYABLE (reference bug)', () => {
    const prev = [
      { step: 'agent', grade: 'PASS', stage: 'IMPLEMENTING' },
      { step: 'agent', grade: 'PASS', stage: 'IMPLEMENTING' },
      { step: 'agent', grade: 'PASS', stage: 'IMPLEMENTING' },
    ];
    expect(retryableStreak(prev, 'IMPLEMENTING')).toBe(1);
  });
});
