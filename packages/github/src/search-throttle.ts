import { GitHubError } from './errors.js';
import { toGitHubError } from './octokit-errors.js';

/** GitHub's search API allows 30 requests per minute to an authenticated user. */
export const SEARCH_REQUESTS_PER_WINDOW = 30;
export const SEARCH_WINDOW_MS = 60_000;
/** The longest a search waits for GitHub's rate limit to reset before it fails instead. */
export const SEARCH_MAX_WAIT_MS = 60_000;

/** Options of {@link createSearchThrottle}; every field defaults to GitHub's published search limit. */
export interface SearchThrottleOptions {
  /** Search requests allowed per rolling window; default 30. */
  perWindow?: number;
  /** The window in milliseconds; default 60 000. */
  windowMs?: number;
  /** The longest wait (for a slot or for GitHub's reset) before failing with `rate_limited`; default 60 000. */
  maxWaitMs?: number;
  /** How often one search waits for GitHub's reset and tries again; default 2. */
  maxRetries?: number;
}

/** The clock the throttle waits on; tests keep the real one and wait on the `warn` events. */
export interface ThrottleClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: ThrottleClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Runs search requests within GitHub's search rate limit. */
export interface SearchThrottle {
  /** Waits for a slot, runs `request`, and when GitHub answers that the limit is spent waits for its reset (bounded) and tries again. */
  run<T>(what: string, request: () => Promise<T>): Promise<T>;
}

/** How long GitHub asks us to wait (ms) when `error` is a rate-limit answer; undefined for any other failure. */
export function rateLimitWaitMs(error: unknown, nowMs: number): number | undefined {
  const e = error as { status?: unknown; message?: unknown; response?: { headers?: Record<string, string | number | undefined> } };
  if (e.status !== 403 && e.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined) return retryAfter * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset)) return Math.max(0, reset * 1000 - nowMs);
  // A 429, or a 403 that says "rate limit" without headers: GitHub asks for at least a minute.
  if (e.status === 429 || (typeof e.message === 'string' && /rate limit/i.test(e.message))) return 60_000;
  return undefined;
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * A client-side limiter for `/search/*`: at most `perWindow` requests in any rolling `windowMs` (each caller
 * reserves the next free slot, so concurrent searches queue fairly), and GitHub's own 403/429 rate-limit answers
 * are waited out until `x-ratelimit-reset` / `retry-after` — unless that wait exceeds `maxWaitMs`, when the search
 * fails with a `rate_limited` {@link GitHubError} that says when the limit resets. Every wait is reported to `warn`.
 *
 * @example
 * const throttle = createSearchThrottle({ perWindow: 30 }, log.warn);
 * const result = await throttle.run('searching issues', () => octokit.request('GET /search/issues', { q }));
 */
export function createSearchThrottle(
  options: SearchThrottleOptions = {},
  warn: (message: string) => void = () => {},
  clock: ThrottleClock = realClock,
): SearchThrottle {
  const perWindow = Math.max(1, options.perWindow ?? SEARCH_REQUESTS_PER_WINDOW);
  const windowMs = options.windowMs ?? SEARCH_WINDOW_MS;
  const maxWaitMs = options.maxWaitMs ?? SEARCH_MAX_WAIT_MS;
  const maxRetries = options.maxRetries ?? 2;
  /** Start times of the requests in the current window, including reserved future slots, ascending. */
  let starts: number[] = [];

  const acquire = async (what: string): Promise<void> => {
    const now = clock.now();
    starts = starts.filter((t) => t > now - windowMs);
    const slot = starts.length < perWindow ? now : Math.max(now, starts[starts.length - perWindow]! + windowMs);
    const wait = slot - now;
    if (wait > maxWaitMs) {
      throw new GitHubError('rate_limited', `${what}: ${perWindow} searches per ${windowMs / 1000} s are spent; the next is allowed at ${clockTime(slot)} UTC. Try again then.`);
    }
    starts.push(slot);
    if (wait > 0) {
      warn(`${what}: waiting ${wait} ms for a search slot (at most ${perWindow} searches per ${windowMs / 1000} s)`);
      await clock.sleep(wait);
    }
  };

  return {
    async run<T>(what: string, request: () => Promise<T>): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        await acquire(what);
        try {
          return await request();
        } catch (error) {
          const wait = rateLimitWaitMs(error, clock.now());
          if (wait === undefined) throw toGitHubError(error, what);
          const resetsAt = clockTime(clock.now() + wait);
          if (wait > maxWaitMs || attempt >= maxRetries) {
            throw new GitHubError('rate_limited', `${what}: GitHub's search rate limit is spent; it resets at ${resetsAt} UTC (in ${Math.ceil(wait / 1000)} s). Try again then.`, {
              status: (error as { status?: number }).status ?? 403,
              cause: error,
            });
          }
          warn(`${what}: GitHub's search rate limit is spent; waiting ${wait} ms until it resets at ${resetsAt} UTC`);
          await clock.sleep(wait);
        }
      }
    },
  };
}
