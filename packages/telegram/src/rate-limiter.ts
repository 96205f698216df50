import { TelegramError } from './errors.js';

/** Limits of the sliding-window rate limiter (policy `telegram_bot`). Each is at least 1. */
export interface RateLimitOptions {
  windowSec: number;
  perChat: number;
  global: number;
}

/** Why a command was not let through. */
export type RateLimitReason = 'global_rate_limited' | 'chat_rate_limited';

/** The limiter's decision for one command. */
export type RateDecision = { ok: true } | { ok: false; reason: RateLimitReason };

/**
 * A sliding-window log rate limiter kept in memory (SPEC §8.4): one global queue of timestamps and one queue
 * per authorised chat. Every command counts against the global limit, authorised or not (W41); only authorised
 * commands count against their chat's limit. Denied attempts are not recorded, so a flood cannot extend its
 * own ban. Time is a monotonic millisecond reading supplied by the caller.
 *
 * @example
 * const limiter = new SlidingWindowRateLimiter({ windowSec: 60, perChat: 12, global: 120 });
 * limiter.check(111, true, performance.now()) // → { ok: true }
 */
export class SlidingWindowRateLimiter {
  readonly #windowMs: number;
  readonly #perChat: number;
  readonly #global: number;
  #globalQueue: number[] = [];
  readonly #chats = new Map<number, number[]>();

  constructor(options: RateLimitOptions) {
    for (const [key, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new TelegramError('invalid_config', `rate limit ${key} must be an integer of at least 1, got ${String(value)}.`);
      }
    }
    this.#windowMs = options.windowSec * 1000;
    this.#perChat = options.perChat;
    this.#global = options.global;
  }

  /** Decides one command from `chatId` at monotonic time `nowMs`, and records it when allowed. */
  check(chatId: number, authorized: boolean, nowMs: number): RateDecision {
    const cutoff = nowMs - this.#windowMs;
    this.#globalQueue = dropOlder(this.#globalQueue, cutoff);
    for (const [chat, queue] of this.#chats) {
      const kept = dropOlder(queue, cutoff);
      if (kept.length === 0) this.#chats.delete(chat);
      else this.#chats.set(chat, kept);
    }
    if (this.#globalQueue.length >= this.#global) return { ok: false, reason: 'global_rate_limited' };
    const chatQueue = this.#chats.get(chatId) ?? [];
    if (authorized && chatQueue.length >= this.#perChat) return { ok: false, reason: 'chat_rate_limited' };
    this.#globalQueue.push(nowMs);
    if (authorized) {
      chatQueue.push(nowMs);
      this.#chats.set(chatId, chatQueue);
    }
    return { ok: true };
  }
}

function dropOlder(queue: number[], cutoff: number): number[] {
  let i = 0;
  while (i < queue.length && queue[i]! < cutoff) i++;
  return i === 0 ? queue : queue.slice(i);
}
