import { describe, expect, it } from 'vitest';
import { createAuditRateLimiter } from './audit-rate-limiter.js';

describe('createAuditRateLimiter', () => {
  it('admit allows a burst, then refills at perSecond, and takeSuppressed reports what it refused once', () => {
    let now = 0;
    const limiter = createAuditRateLimiter({ burst: 2, perSecond: 1, now: () => now });
    expect([limiter.admit('invalid_signature'), limiter.admit('invalid_signature'), limiter.admit('not_found'), limiter.admit('invalid_signature')]).toEqual([true, true, false, false]);
    expect(limiter.takeSuppressed()).toEqual({ count: 2, byOutcome: { not_found: 1, invalid_signature: 1 } });
    expect(limiter.takeSuppressed()).toBeUndefined();
    now = 999;
    expect(limiter.admit('x')).toBe(false);
    now = 1_000;
    expect(limiter.admit('x')).toBe(true);
    now = 60_000;
    expect([limiter.admit('x'), limiter.admit('x'), limiter.admit('x')]).toEqual([true, true, false]);
  });
});
