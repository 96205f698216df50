import { StoreError } from './errors.js';

/** The most buckets one time-series query returns (60 days by the hour is 1,440). */
export const MAX_BUCKETS = 2_000;

/** A validated window cut into buckets: each bucket's key (the ISO prefix its times share) and start. */
export interface BucketWindow {
  /** 13 (`2026-11-26T10`, hours) or 10 (`2026-11-26`, days): the ISO prefix that names a bucket, in SQL `substr(t, 1, n)`. */
  keyLength: 13 | 10;
  /** Bucket keys, oldest first. */
  keys: string[];
  /** The ISO start of the first bucket: times at or after it fall in a bucket or after the last one. */
  start: string;
  /** The ISO start of the bucket after the last one. */
  end: string;
}

/**
 * Cuts `since`..`until` into whole UTC hours or days: the first bucket holds `since`, the last holds `until`. ISO
 * text timestamps keep the bucket math the same on both dialects: a time's bucket is its first 13 (or 10)
 * characters. An unreadable time, `since` after `until`, or more than {@link MAX_BUCKETS} buckets is `invalid_input`.
 */
export function bucketWindow(query: { since: string; until: string; bucket: 'hour' | 'day' }): BucketWindow {
  const since = parseTime('since', query.since);
  const until = parseTime('until', query.until);
  if (query.bucket !== 'hour' && query.bucket !== 'day') throw new StoreError('invalid_input', 'bucket must be hour or day.');
  if (since > until) throw new StoreError('invalid_input', `since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()}).`);
  const keyLength = query.bucket === 'hour' ? 13 : 10;
  const step = query.bucket === 'hour' ? 3_600_000 : 86_400_000;
  const first = Math.floor(since / step) * step;
  const count = Math.floor(until / step) - first / step + 1;
  if (count > MAX_BUCKETS) throw new StoreError('invalid_input', `${count} ${query.bucket} buckets asked for; at most ${MAX_BUCKETS}: shorten the window or use day buckets.`);
  const keys = Array.from({ length: count }, (_, i) => new Date(first + i * step).toISOString().slice(0, keyLength));
  return { keyLength, keys, start: new Date(first).toISOString(), end: new Date(first + count * step).toISOString() };
}

/** The ISO start of the bucket named `key`. */
export function bucketStart(key: string): string {
  return key.length === 13 ? `${key}:00:00.000Z` : `${key}T00:00:00.000Z`;
}

function parseTime(name: string, value: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new StoreError('invalid_input', `${name} must be an ISO time, got ${JSON.stringify(String(value).slice(0, 40))}.`);
  return ms;
}
