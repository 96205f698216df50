import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { acquireServiceLease, releaseServiceLease } from '@agentpr/store';
import { errorText } from './bot-session.js';
import { describeHolder, keepLeaseRenewed, type HeldServiceLease } from './keep-lease-renewed.js';

/** How long the poller lease lives without renewal unless `--poller-lease-sec` says otherwise. */
export const DEFAULT_POLLER_LEASE_SEC = 30;

/** The longest pause between two tries of a standing-by bot. */
const MAX_RETRY_MS = 5000;

/**
 * The service lease name of the Telegram poller of a token: `telegram-poller:` and the first 16 hex characters of
 * the token's SHA-256. The token itself never reaches the database or a log; two tokens of one bot id are two bots.
 *
 * @example
 * pollerLeaseName('123456:ABC…'); // → 'telegram-poller:3f1c…' (16 hex)
 */
export function pollerLeaseName(token: string): string {
  return `telegram-poller:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16)}`;
}

/** What {@link runWithPollerLease} needs. */
export interface PollerLeaseOptions extends HeldServiceLease {
  /** Aborting stops the work in hand and the standby, and releases the lease. */
  signal: AbortSignal;
  /** Pause between tries while another process holds the lease. Default ttl/3, at most 5 s. */
  retryMs?: number | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  monotonicNow?: (() => number) | undefined;
}

const defaultSleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch {
    // aborted: wake up early
  }
};

/**
 * Runs `work` only while this process holds the named service lease, so one Telegram poller runs per token across
 * processes and hosts. While another process holds it, this one stands by: one log line naming the holder (host,
 * pid), no polling, a new try every few seconds, and a takeover soon after the holder's lease expires (it died) or is
 * released (it stopped). While holding it, the lease is renewed every ttl/3; a lost renewal aborts `work`'s signal at
 * once and the process stands by again. Returns each term's result, in order, once `signal` aborts (or `work`
 * returns on its own); the lease is released on the way out, also when `work` throws.
 *
 * @example
 * const lease = { db, name: pollerLeaseName(token), holder, ttlMs: 30_000, clock, log, label, signal };
 * const terms = await runWithPollerLease(lease, (s) => runTelegramBot(ctx, { ...options, signal: s }, chat));
 */
export async function runWithPollerLease<T>(options: PollerLeaseOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T[]> {
  const { db, name, holder, ttlMs, clock, log, label, signal } = options;
  const sleep = options.sleep ?? defaultSleep;
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const retryMs = options.retryMs ?? Math.min(MAX_RETRY_MS, Math.max(100, Math.floor(ttlMs / 3)));
  const terms: T[] = [];
  let announced: string | undefined;
  while (!signal.aborted) {
    let got: Awaited<ReturnType<typeof acquireServiceLease>>;
    try {
      got = await acquireServiceLease(db, name, holder, ttlMs, clock);
    } catch (error) {
      log.warn(`${label} cannot take the poller lease ${name}; retrying in ${retryMs} ms: ${errorText(error)}`, { lease: name });
      await sleep(retryMs, signal);
      continue;
    }
    if (!got.acquired) {
      if (got.holder !== announced) {
        announced = got.holder;
        log.info(`${label} stands by: another poller holds ${name} (${describeHolder(got.holder)}) until ${got.expiresAt}; not polling, trying again every ${retryMs} ms`, {
          lease: name,
          holder: got.holder,
        });
      }
      // Wake at the holder's expiry when it comes before the next try, so a dead holder is replaced without delay.
      const untilExpiry = Date.parse(got.expiresAt) - clock().getTime() + 20;
      await sleep(Math.max(20, Math.min(retryMs, untilExpiry)), signal);
      continue;
    }
    announced = undefined;
    log.info(`${label} holds the poller lease ${name} (${describeHolder(holder)}); renewing every ${Math.floor(ttlMs / 3)} ms`, { lease: name, holder });
    const term = new AbortController();
    const stopTerm = () => term.abort(signal.reason);
    signal.addEventListener('abort', stopTerm, { once: true });
    const renewal = keepLeaseRenewed({ db, name, holder, ttlMs, clock, log, label, onLost: () => term.abort('lease lost'), sleep, monotonicNow });
    try {
      terms.push(await work(term.signal));
    } finally {
      signal.removeEventListener('abort', stopTerm);
      await renewal.stop();
      if (!renewal.lost) {
        await releaseServiceLease(db, name, holder).catch((error: unknown) => log.warn(`${label} could not release the poller lease ${name}: ${errorText(error)}`, { lease: name }));
      }
    }
    if (!renewal.lost) break;
  }
  return terms;
}
