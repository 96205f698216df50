import { countRunsByState, newestEventId, type Db } from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';

/** Runs per state, by state name. */
export type StateCounts = Readonly<Record<string, number>>;

/**
 * The longest cached counts are used without being read again, even when the store's newest event id has not moved.
 * On SQLite writers commit one at a time, so event ids become visible in order and the id alone is exact; on
 * PostgreSQL an id is taken before its transaction commits, so a slow transaction can commit an id below the newest
 * one already seen: this bounds how long such a change can go unseen.
 */
export const STATE_COUNTS_MAX_AGE_MS = 5_000;

/** What a {@link StateCountsCache} is built with. */
export interface StateCountsCacheOptions {
  /** A monotonic clock in ms, for the counts' age (default `performance.now`; the dashboard passes `app.monotonic`). */
  monotonic?: () => number;
  maxAgeMs?: number;
}

/**
 * `countRunsByState` (a scan of every run, 6–10 ms at 100k runs) cached until the store changes. Every change of a
 * run's state, and every new run, inserts an event in the same transaction (`applyEvent`, the webhook's delivery
 * writer, `createRun`), so the newest `events.event_id` (one probe of the primary key) moves whenever the counts may
 * have: the cache keeps the counts with the id read just BEFORE them, and reads them again when the id differs (a
 * write between the two reads only makes the next request read again). Counts older than `maxAgeMs` are read again
 * whatever the id (see {@link STATE_COUNTS_MAX_AGE_MS}).
 */
export class StateCountsCache {
  private cached: { signal: string; counts: StateCounts; at: number } | undefined;
  private readonly monotonic: () => number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly db: Db,
    options: StateCountsCacheOptions = {},
  ) {
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.maxAgeMs = options.maxAgeMs ?? STATE_COUNTS_MAX_AGE_MS;
  }

  /** The runs per state as of this call (read again only when the store changed or the counts are too old). */
  async counts(): Promise<StateCounts> {
    const at = this.monotonic();
    const signal = String((await newestEventId(this.db)) ?? '');
    const hit = this.cached;
    if (hit && hit.signal === signal && at - hit.at < this.maxAgeMs) return hit.counts;
    const counts = await countRunsByState(this.db);
    this.cached = { signal, counts, at };
    return counts;
  }
}

/** One cache per dashboard (per `DashboardDeps`, so per store); dropped with it. */
const caches = new WeakMap<DashboardDeps, StateCountsCache>();

/** The runs per state for the runs page, through this dashboard's {@link StateCountsCache}. */
export function stateCounts(deps: DashboardDeps): Promise<StateCounts> {
  let cache = caches.get(deps);
  if (!cache) {
    cache = new StateCountsCache(deps.db, { monotonic: deps.app.monotonic });
    caches.set(deps, cache);
  }
  return cache.counts();
}
