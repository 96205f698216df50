import { TelegramError } from './errors.js';

/** How the audit lines of chats that are not allowlisted are sampled. */
export interface StrangerAuditSamplerOptions {
  /** Length of each chat's window, seconds (the rate-limit window). */
  windowSec: number;
  /** After a chat's first attempt in its window, one attempt in `every` is written. Default 10. */
  every?: number | undefined;
  /** Chats remembered at once; past it, unknown chats share one 1-in-`every` sequence. Default 1024. */
  maxChats?: number | undefined;
}

/** Whether to write one stranger attempt, and how many went unwritten since the last stranger line. */
export type StrangerAuditDecision = { write: true; unauditedSinceLast: number } | { write: false };

/**
 * Samples the audit lines of strangers (chats that are not allowlisted), so a flood of them cannot fill the
 * audit log: each chat's first attempt in its window is written, then one in `every`. Attempts that are not
 * written are counted; the next written stranger line carries that count (`unaudited_since_last`), and
 * {@link StrangerAuditSampler.unaudited} keeps the total. Memory is bounded by `maxChats`. Time is a monotonic
 * millisecond reading supplied by the caller.
 *
 * @example
 * const sampler = new StrangerAuditSampler({ windowSec: 60, every: 10 });
 * sampler.admit(999, 0) // → { write: true, unauditedSinceLast: 0 }
 * sampler.admit(999, 1) // → { write: false }
 */
export class StrangerAuditSampler {
  readonly #windowMs: number;
  readonly #every: number;
  readonly #maxChats: number;
  readonly #chats = new Map<number, { start: number; count: number }>();
  #overflowCount = 0;
  #pending = 0;
  #total = 0;

  constructor(options: StrangerAuditSamplerOptions) {
    const every = options.every ?? 10;
    const maxChats = options.maxChats ?? 1024;
    for (const [key, value] of Object.entries({ windowSec: options.windowSec, every, maxChats })) {
      if (!Number.isInteger(value) || value < 1) {
        throw new TelegramError('invalid_config', `stranger audit ${key} must be an integer of at least 1, got ${String(value)}.`);
      }
    }
    this.#windowMs = options.windowSec * 1000;
    this.#every = every;
    this.#maxChats = maxChats;
  }

  /** Stranger attempts never written to the audit log since this sampler was made. */
  get unaudited(): number {
    return this.#total;
  }

  /** Decides whether the attempt of stranger `chatId` at `nowMs` is written. */
  admit(chatId: number, nowMs: number): StrangerAuditDecision {
    let entry = this.#chats.get(chatId);
    if (entry && nowMs - entry.start >= this.#windowMs) entry = undefined;
    if (!entry) {
      this.#forgetExpired(nowMs);
      if (this.#chats.size < this.#maxChats) {
        entry = { start: nowMs, count: 0 };
        this.#chats.set(chatId, entry);
      }
    }
    let position: number;
    if (entry) {
      entry.count++;
      position = entry.count - 1;
    } else {
      position = ++this.#overflowCount; // never "first": a flood of fresh chats is sampled as one stream
    }
    if (position % this.#every !== 0) return this.skip();
    const unauditedSinceLast = this.#pending;
    this.#pending = 0;
    return { write: true, unauditedSinceLast };
  }

  /** Counts a stranger attempt that is not written at all (for instance one over the stranger budget). */
  skip(): { write: false } {
    this.#pending++;
    this.#total++;
    return { write: false };
  }

  #forgetExpired(nowMs: number): void {
    for (const [chat, entry] of this.#chats) {
      if (nowMs - entry.start >= this.#windowMs) this.#chats.delete(chat);
    }
  }
}
