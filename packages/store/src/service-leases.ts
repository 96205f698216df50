import { StoreError } from './errors.js';
import type { Db, ServiceLeaseRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** The outcome of {@link acquireServiceLease}. */
export type ServiceLeaseResult = { acquired: true; lease: ServiceLeaseRow } | { acquired: false; holder: string; expiresAt: string };

/** Service lease names: printable, no spaces, at most 200 characters (`telegram-poller:<hash>`). */
const NAME_PATTERN = /^[A-Za-z0-9._:/-]{1,200}$/;

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new StoreError('invalid_input', `service lease name ${JSON.stringify(name.slice(0, 80))} must be 1-200 characters of letters, digits, . _ : / -.`);
  }
}

/**
 * Takes the named service lease for `ttlMs` (a singleton across hosts, such as the Telegram poller of one token)
 * with one atomic upsert: it succeeds when nobody holds it, when the current lease has expired (steal-after-expiry),
 * or when `holder` already holds it (re-entry renews). Correct across processes and hosts on both dialects because
 * the database decides in one statement: of many concurrent acquirers exactly one wins.
 *
 * @example
 * const got = await acquireServiceLease(db, 'telegram-poller:0123456789abcdef', leaseHolder('bot'), 30_000);
 * if (!got.acquired) console.log(`held by ${got.holder} until ${got.expiresAt}`);
 */
export async function acquireServiceLease(db: Db, name: string, holder: string, ttlMs: number, clock: Clock = systemClock): Promise<ServiceLeaseResult> {
  checkName(name);
  const nowDate = clock();
  const now = iso(nowDate);
  const expires = iso(new Date(nowDate.getTime() + Math.max(1, ttlMs)));
  const row = await db
    .insertInto('service_leases')
    .values({ name, holder, acquired_at: now, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ holder, acquired_at: now, expires_at: expires })
        .where((eb) => eb.or([eb('service_leases.expires_at', '<=', now), eb('service_leases.holder', '=', holder)])),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) return { acquired: true, lease: row };
  const current = await getServiceLease(db, name);
  // Released between the upsert and this read: try again (the next upsert inserts or meets a live holder).
  if (!current) return acquireServiceLease(db, name, holder, ttlMs, clock);
  return { acquired: false, holder: current.holder, expiresAt: current.expires_at };
}

/**
 * Extends a service lease `holder` still owns and has not let expire; false when it was lost (expired, taken over or
 * released). An expired lease is not revived even when nobody took it yet: its holder must stop, as a new holder
 * may already be acting on the expiry it saw.
 */
export async function renewServiceLease(db: Db, name: string, holder: string, ttlMs: number, clock: Clock = systemClock): Promise<boolean> {
  const nowDate = clock();
  const expires = iso(new Date(nowDate.getTime() + Math.max(1, ttlMs)));
  const result = await db
    .updateTable('service_leases')
    .set({ expires_at: expires })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .where('expires_at', '>', iso(nowDate))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Releases the service lease if `holder` owns it; false when it did not. */
export async function releaseServiceLease(db: Db, name: string, holder: string): Promise<boolean> {
  const result = await db.deleteFrom('service_leases').where('name', '=', name).where('holder', '=', holder).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The current service lease of that name, if any (expired or not). */
export async function getServiceLease(db: Db, name: string): Promise<ServiceLeaseRow | undefined> {
  return db.selectFrom('service_leases').selectAll().where('name', '=', name).executeTakeFirst();
}
