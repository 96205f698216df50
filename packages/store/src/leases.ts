import { randomBytes } from 'node:crypto';
import { StoreError } from './errors.js';
import { resolveHostId } from './host-id.js';
import type { Db, LeaseRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** The outcome of {@link acquireLease}. */
export type LeaseResult = { acquired: true; lease: LeaseRow } | { acquired: false; holder: string; expiresAt: string };

/**
 * A lease holder id: this host's id (`resolveHostId`), the process id, what the process does and a random suffix,
 * joined by `:`. `env` defaults to the process environment so that callers without an environment of their own still
 * honour the operator's `AGENTPR_HOST_ID`; an invalid one throws `invalid_input`.
 *
 * @example
 * leaseHolder('manager', { AGENTPR_HOST_ID: 'worker-2' }); // → 'worker-2:4242:manager:9f3a0c1d'
 */
export function leaseHolder(command: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return `${resolveHostId(env)}:${process.pid}:${command}:${randomBytes(4).toString('hex')}`;
}

/**
 * Takes the run's lease for `ttlMs` with one atomic upsert: it succeeds when nobody holds the lease, when the
 * current lease has expired (steal-after-expiry), or when `holder` already holds it (re-entry renews). Correct
 * across processes on both dialects because the decision is made by the database in one statement.
 */
export async function acquireLease(db: Db, runId: string, holder: string, ttlMs: number, clock: Clock = systemClock): Promise<LeaseResult> {
  const nowDate = clock();
  const now = iso(nowDate);
  const expires = iso(new Date(nowDate.getTime() + Math.max(1, ttlMs)));
  const exists = await db.selectFrom('runs').select('run_id').where('run_id', '=', runId).executeTakeFirst();
  if (!exists) throw new StoreError('run_not_found', `run ${runId} not found. Use list-runs to see existing runs.`, { runId });
  const row = await db
    .insertInto('run_leases')
    .values({ run_id: runId, holder, acquired_at: now, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('run_id')
        .doUpdateSet({ holder, acquired_at: now, expires_at: expires })
        .where((eb) => eb.or([eb('run_leases.expires_at', '<=', now), eb('run_leases.holder', '=', holder)])),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) return { acquired: true, lease: row };
  const current = await db.selectFrom('run_leases').selectAll().where('run_id', '=', runId).executeTakeFirst();
  if (!current) return acquireLease(db, runId, holder, ttlMs, clock);
  return { acquired: false, holder: current.holder, expiresAt: current.expires_at };
}

/** Extends a lease the holder still owns; false when it was lost (expired and taken over, or released). */
export async function renewLease(db: Db, runId: string, holder: string, ttlMs: number, clock: Clock = systemClock): Promise<boolean> {
  const expires = iso(new Date(clock().getTime() + Math.max(1, ttlMs)));
  const result = await db.updateTable('run_leases').set({ expires_at: expires }).where('run_id', '=', runId).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Releases the lease if `holder` owns it. */
export async function releaseLease(db: Db, runId: string, holder: string): Promise<boolean> {
  const result = await db.deleteFrom('run_leases').where('run_id', '=', runId).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes expired leases (left by killed workers); returns how many. */
export async function expireLeases(db: Db, clock: Clock = systemClock): Promise<number> {
  const result = await db.deleteFrom('run_leases').where('expires_at', '<=', iso(clock())).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The current lease of a run, if any (expired or not). */
export async function getLease(db: Db, runId: string): Promise<LeaseRow | undefined> {
  return db.selectFrom('run_leases').selectAll().where('run_id', '=', runId).executeTakeFirst();
}

/**
 * Runs `fn` while holding the run's lease; fails at once with `lease_held` (changing nothing) when another
 * holder has it. The lease is released afterwards, also on error.
 */
export async function withLease<T>(db: Db, runId: string, holder: string, ttlMs: number, fn: () => Promise<T>, clock: Clock = systemClock): Promise<T> {
  // Re-entrant: a holder that already has the lease (e.g. the manager calling a use case in process) keeps it
  // afterwards; only a lease taken here is released here.
  const existing = await getLease(db, runId);
  const reentrant = existing?.holder === holder && existing.expires_at > iso(clock());
  const got: LeaseResult = reentrant ? { acquired: true, lease: existing } : await acquireLease(db, runId, holder, ttlMs, clock);
  if (!got.acquired) {
    throw new StoreError('lease_held', `run ${runId} is being worked on by ${got.holder} until ${got.expiresAt}; try again later.`, {
      runId,
      data: { holder: got.holder, expires_at: got.expiresAt },
    });
  }
  try {
    return await fn();
  } finally {
    if (!reentrant) await releaseLease(db, runId, holder).catch(() => {});
  }
}
