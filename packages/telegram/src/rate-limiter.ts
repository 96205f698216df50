import { TelegramError } from './errors.js';

/** Default budget of all unknown chats together, per window. */
export const STRANGER_RATE_LIMIT_DEFAULT = 20;

/** Limits of the sliding-window rate limiter (policy `telegram_bot`). Each is at least 1. */
export interface RateLimitOptions {
  windowSec: number;
  perChat: number;
  global: number;
  /** Attempts from all chats that are not allowlisted, together, per window. Default {@link STRANGER_RATE_LIMIT_DEFAULT}. */
  strangers?: number | undefined;
}

/** Why a command was not let through. */
export type RateLimitReason = 'global_rate_limited' | 'chat_rate_limited' | 'stranger_rate_limited';

/** The limiter's decision for one command. */
export type RateDecision = { ok: true } | { ok: false; reason: RateLimitReason };

/**
 * A sliding-window log rate limiter kept in memory. Chats on the allowlist share one global queue
 * and have one queue each; every attempt of theirs counts against both, including one refused for its tier.
 * Chats that are not on the allowlist ("strangers") only ever touch their own small shared queue, which is
 * checked instead of the global one: a flood of strangers cannot make the bot busy for the allowed chats.
 * Denied attempts are not recorded, so a flood cannot extend its own ban. Time is a monotonic millisecond
 * reading supplied by the caller.
 *
 * @example
 * const limiter = new SlidingWindowRateLimiter({ windowSec: 60, perChat: 12, global: 120, strangers: 20 });
 * limiter.check(111, true, performance.now()) // → { ok: true }
 */
export class SlidingWindowRateLimiter {
  readonly #windowMs: number;
  readonly #perChat: number;
  readonly #global: number;
  readonly #strangers: number;
  #globalQueue: number[] = [];
  #strangerQueue: number[] = [];
  readonly #chats = new Map<number, number[]>();

  constructor(options: RateLimitOptions) {
    const limits = { ...options, strangers: options.strangers ?? STRANGER_RATE_LIMIT_DEFAULT };
    for (const [key, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new TelegramError('invalid_config', `rate limit ${key} must be an integer of at least 1, got ${String(value)}.`);
      }
    }
    this.#windowMs = limits.windowSec * 1000;
    this.#perChat = limits.perChat;
    this.#global = limits.global;
    this.#strangers = limits.strangers;
  }

  /**
   * Decides one attempt from `chatId` at monotonic time `nowMs`, and records it when allowed. `known` says the
   * chat is on the allowlist (even if the command is above its tier); an unknown chat is decided by the
   * stranger budget alone and never touches the global or a per-chat queue.
   */
  check(chatId: number, known: boolean, nowMs: number): RateDecision {
    const cutoff = nowMs - this.#windowMs;
    if (!known) {
      this.#strangerQueue = dropOlder(this.#strangerQueue, cutoff);
      if (this.#strangerQueue.length >= this.#strangers) return { ok: false, reason: 'stranger_rate_limited' };
      this.#strangerQueue.push(nowMs);
      return { ok: true };
    }
    this.#globalQueue = dropOlder(this.#globalQueue, cutoff);
    for (const [chat, queue] of this.#chats) {
      const kept = dropOlder(queue, cutoff);
      if (kept.length === 0) this.#chats.delete(chat);
      else this.#chats.set(chat, kept);
    }
    if (this.#globalQueue.length >= this.#global) return { ok: false, reason: 'global_rate_limited' };
    const chatQueue = this.#chats.get(chatId) ?? [];
    if (chatQueue.length >= this.#perChat) return { ok: false, reason: 'chat_rate_limited' };
    this.#globalQueue.push(nowMs);
    chatQueue.push(nowMs);
    this.#chats.set(chatId, chatQueue);
    return { ok: true };
  }
}

function dropOlder(queue: number[], cutoff: number): number[] {
  let i = 0;
  while (i < queue.length && queue[i]! < cutoff) i++;
  return i === 0 ? queue : queue.slice(i);
}
