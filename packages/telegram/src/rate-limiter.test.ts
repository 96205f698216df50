import { describe, expect, it } from 'vitest';
import { SlidingWindowRateLimiter } from './rate-limiter.js';

describe('SlidingWindowRateLimiter', () => {
  it('check denies the chat after perChat commands in the window and allows again once they age out', () => {
    const limiter = new SlidingWindowRateLimiter({ windowSec: 10, perChat: 2, global: 100 });
    expect(limiter.check(1, true, 0)).toEqual({ ok: true });
    expect(limiter.check(1, true, 1000)).toEqual({ ok: true });
    expect(limiter.check(1, true, 2000)).toEqual({ ok: false, reason: 'chat_rate_limited' });
    expect(limiter.check(2, true, 2000)).toEqual({ ok: true });
    expect(limiter.check(1, true, 10_000)).toEqual({ ok: false, reason: 'chat_rate_limited' });
    expect(limiter.check(1, true, 10_001)).toEqual({ ok: true });
  });

  it('check denies everyone after the global limit', () => {
    const limiter = new SlidingWindowRateLimiter({ windowSec: 60, perChat: 10, global: 3 });
    expect([1, 2, 3].map((chat) => limiter.check(chat, true, 0).ok)).toEqual([true, true, true]);
    expect(limiter.check(4, true, 1)).toEqual({ ok: false, reason: 'global_rate_limited' });
  });

  it('strangers use their own budget and never the global one: 125 stranger attempts leave the allowed chats untouched', () => {
    const limiter = new SlidingWindowRateLimiter({ windowSec: 60, perChat: 12, global: 120, strangers: 20 });
    const decisions = Array.from({ length: 125 }, (_, i) => limiter.check(1000 + i, false, i));
    expect(decisions.filter((d) => d.ok)).toHaveLength(20);
    expect(decisions.at(-1)).toEqual({ ok: false, reason: 'stranger_rate_limited' });
    for (let i = 0; i < 12; i++) expect(limiter.check(111, true, 200 + i)).toEqual({ ok: true });
    expect(limiter.check(111, true, 300)).toEqual({ ok: false, reason: 'chat_rate_limited' });
    expect(limiter.check(60_021, false, 60_021)).toEqual({ ok: true }); // the first stranger attempts have aged out
  });

  it('the stranger budget defaults to 20 per window', () => {
    const limiter = new SlidingWindowRateLimiter({ windowSec: 60, perChat: 1, global: 1 });
    expect(Array.from({ length: 21 }, (_, i) => limiter.check(-i - 1, false, i).ok).filter(Boolean)).toHaveLength(20);
  });

  it('denied attempts are not recorded, so a flood does not extend its own limit', () => {
    const limiter = new SlidingWindowRateLimiter({ windowSec: 1, perChat: 1, global: 100 });
    expect(limiter.check(1, true, 0).ok).toBe(true);
    for (let t = 100; t < 1000; t += 100) expect(limiter.check(1, true, t).ok).toBe(false);
    expect(limiter.check(1, true, 1001).ok).toBe(true);
  });

  it('the constructor refuses limits below 1', () => {
    expect(() => new SlidingWindowRateLimiter({ windowSec: 0, perChat: 1, global: 1 })).toThrow(/windowSec/);
    expect(() => new SlidingWindowRateLimiter({ windowSec: 1, perChat: 1, global: 1, strangers: 0 })).toThrow(/strangers/);
  });
});
