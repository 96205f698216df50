import * as v from 'valibot';
import { PageError } from '../page.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Every window a page may offer, and its length. */
export const WINDOW_MS = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, '60d': 60 * DAY_MS } as const;

/** A window a page may offer (`?window=`). */
export type TimeWindow = keyof typeof WINDOW_MS;

/** What a window reads: its name, its start and end, and (for charts) the start of its first bucket. */
export interface WindowRange {
  window: TimeWindow;
  since: Date;
  until: Date;
  /** The start of the first whole bucket (an hour or a UTC day) inside the window, so every bucket is complete. */
  firstBucket: Date;
}

/**
 * The page's `?window=` parameter, validated against the windows the page offers (valibot `picklist`): absent means
 * `fallback`; anything else, or the parameter given twice, is a `bad_request` naming the allowed values.
 *
 * @example
 * windowParam(req.query, ['24h', '7d', '30d'], '7d') // → '7d' for `?window=7d`, PageError for `?window=1y`
 */
export function windowParam<W extends TimeWindow>(query: URLSearchParams, allowed: readonly [W, ...W[]], fallback: W): W {
  const given = query.getAll('window');
  if (given.length === 0) return fallback;
  const parsed = v.safeParse(v.picklist(allowed), given[0]);
  if (given.length > 1 || !parsed.success) {
    const shown = JSON.stringify((given.length > 1 ? given.join(',') : given[0]!).slice(0, 40));
    throw new PageError('bad_request', `window must be one of ${allowed.join(', ')}; got ${shown}`);
  }
  return parsed.output;
}

/** The range of `window` ending at `now`, with its first bucket aligned to whole hours or whole UTC days. */
export function windowRange(window: TimeWindow, now: Date, bucket: 'hour' | 'day'): WindowRange {
  const size = bucket === 'day' ? DAY_MS : HOUR_MS;
  const since = new Date(now.getTime() - WINDOW_MS[window]);
  // The bucket holding `now` is the last one; the window has exactly WINDOW_MS / size buckets.
  const lastStart = Math.floor(now.getTime() / size) * size;
  const firstBucket = new Date(lastStart - (WINDOW_MS[window] / size - 1) * size);
  return { window, since, until: now, firstBucket };
}
