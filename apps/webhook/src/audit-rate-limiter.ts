/** Options of {@link createAuditRateLimiter}. */
export interface AuditRateLimiterOptions {
  /** Lines allowed at once after a quiet period; default 20. */
  burst?: number;
  /** Lines allowed per second over time; default 1. */
  perSecond?: number;
  /** Milliseconds since some fixed point (`performance.now`), for the refill. */
  now: () => number;
}

/** What was left out since the last {@link AuditRateLimiter.takeSuppressed}. */
export interface SuppressedAudit {
  count: number;
  /** Suppressed lines by outcome (the server's own outcome names, never header text). */
  byOutcome: Record<string, number>;
}

/** A token bucket for audit lines of requests that carried no valid signature. */
export interface AuditRateLimiter {
  /** True when a line with `outcome` may be written now; false counts it as suppressed. */
  admit(outcome: string): boolean;
  /** The suppressed count since the last call, then zero; undefined when nothing was suppressed. */
  takeSuppressed(): SuppressedAudit | undefined;
}

/**
 * Creates the token bucket that keeps an unauthenticated flood from rotating the real audit entries away: at
 * most `burst` lines at once and `perSecond` over time (the default 1/s of ~400-byte lines takes more than a day
 * to fill the 60 MB the rotation keeps). Deliveries with a valid signature are not passed through it: they
 * are always audited. What it refuses is counted, and the server writes that count as one summary line.
 *
 * @example
 * const limiter = createAuditRateLimiter({ now: () => performance.now() });
 * if (limiter.admit('invalid_signature')) audit.write(line);
 */
export function createAuditRateLimiter(options: AuditRateLimiterOptions): AuditRateLimiter {
  const burst = Math.max(1, options.burst ?? 20);
  const rate = Math.max(0, options.perSecond ?? 1) / 1000;
  let tokens = burst;
  let last = options.now();
  let suppressed: SuppressedAudit = { count: 0, byOutcome: {} };
  return {
    admit(outcome) {
      const now = options.now();
      tokens = Math.min(burst, tokens + (now - last) * rate);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      suppressed.count++;
      suppressed.byOutcome[outcome] = (suppressed.byOutcome[outcome] ?? 0) + 1;
      return false;
    },
    takeSuppressed() {
      if (suppressed.count === 0) return undefined;
      const taken = suppressed;
      suppressed = { count: 0, byOutcome: {} };
      return taken;
    },
  };
}
