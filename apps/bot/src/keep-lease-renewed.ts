import { getServiceLease, holderOrigin, renewServiceLease, type Clock, type Db } from '@agentpr/store';
import type { Logger } from '@agentpr/orchestrator';
import { errorText } from './bot-session.js';

/** A named service lease as one process holds it: where it lives, whose it is, how long it lasts, where to report. */
export interface HeldServiceLease {
  db: Db;
  /** The lease's name, e.g. `telegram-poller:<sha256 prefix>`. */
  name: string;
  /** This process's holder name (`leaseHolder(command, env)`): host, pid, command, random suffix. */
  holder: string;
  ttlMs: number;
  clock: Clock;
  log: Logger;
  /** The subject of log lines: `telegram bot 5550001`. */
  label: string;
}

/** What {@link keepLeaseRenewed} needs: the lease, and what to do when it is lost. */
export interface LeaseRenewal extends HeldServiceLease {
  /** Called once, at once, when the lease is lost or can no longer be renewed before it expires. */
  onLost: () => void;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  monotonicNow: () => number;
}

/** A running renewal: whether the lease was lost, and how to stop renewing. */
export interface RenewalHandle {
  readonly lost: boolean;
  stop(): Promise<void>;
}

/** `host h1, pid 42` for a holder `leaseHolder` named, else the holder as stored (it holds no secret). */
export function describeHolder(holder: string): string {
  const origin = holderOrigin(holder);
  return origin ? `host ${origin.host}, pid ${origin.pid}` : holder;
}

/**
 * Renews a held service lease every `ttlMs / 3` until stopped. A renewal the database refuses (the lease expired or
 * another holder took it) calls `onLost` at once. A renewal that fails (database unreachable) is retried on the next
 * tick, unless the lease could expire before that tick: then `onLost` is called too, since the holder can no longer
 * prove it is the only one.
 *
 * @example
 * const renewal = keepLeaseRenewed({ db, name, holder, ttlMs: 30_000, clock, log, label, onLost: () => term.abort(), sleep, monotonicNow });
 * await renewal.stop();
 */
export function keepLeaseRenewed(input: LeaseRenewal): RenewalHandle {
  const { db, name, holder, ttlMs, log, label } = input;
  const every = Math.max(1, Math.floor(ttlMs / 3));
  const stopping = new AbortController();
  let lost = false;
  let validUntil = input.monotonicNow() + ttlMs;
  const lose = (line: string) => {
    lost = true;
    log.warn(line, { lease: name });
    input.onLost();
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await input.sleep(every, stopping.signal);
      if (stopping.signal.aborted) return;
      const started = input.monotonicNow();
      try {
        if (await renewServiceLease(db, name, holder, ttlMs, input.clock)) {
          validUntil = started + ttlMs;
          continue;
        }
        const current = await getServiceLease(db, name).catch(() => undefined);
        const to = current && current.holder !== holder ? ` to ${describeHolder(current.holder)}` : ' (it expired)';
        lose(`${label} lost the poller lease ${name}${to}; polling stopped, standing by`);
        return;
      } catch (error) {
        if (input.monotonicNow() + every >= validUntil) {
          lose(`${label} cannot renew the poller lease ${name} before it expires (${errorText(error)}); polling stopped, standing by`);
          return;
        }
        log.warn(`${label} could not renew the poller lease ${name}; retrying in ${every} ms: ${errorText(error)}`, { lease: name });
      }
    }
  })();
  return {
    get lost() {
      return lost;
    },
    async stop() {
      stopping.abort();
      await loop;
    },
  };
}
