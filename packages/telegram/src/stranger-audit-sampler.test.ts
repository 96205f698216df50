import { describe, expect, it } from 'vitest';
import { StrangerAuditSampler } from './stranger-audit-sampler.js';

const written = (sampler: StrangerAuditSampler, chatId: number, times: number[]) =>
  times.map((t) => sampler.admit(chatId, t)).map((d, i) => (d.write ? [i, d.unauditedSinceLast] : null)).filter(Boolean);

describe('StrangerAuditSampler', () => {
  it('admit writes the first attempt of a chat in its window, then one in every, with the count skipped before it', () => {
    const sampler = new StrangerAuditSampler({ windowSec: 60, every: 5 });
    expect(written(sampler, 999, Array.from({ length: 12 }, (_, i) => i))).toEqual([
      [0, 0],
      [5, 4],
      [10, 4],
    ]);
    expect(sampler.unaudited).toBe(9);
  });

  it('admit writes a chat again first thing in a new window, and each chat has its own first line', () => {
    const sampler = new StrangerAuditSampler({ windowSec: 1, every: 100 });
    expect(sampler.admit(1, 0)).toEqual({ write: true, unauditedSinceLast: 0 });
    expect(sampler.admit(1, 10)).toEqual({ write: false });
    expect(sampler.admit(2, 20)).toEqual({ write: true, unauditedSinceLast: 1 });
    expect(sampler.admit(1, 999)).toEqual({ write: false });
    expect(sampler.admit(1, 1000)).toEqual({ write: true, unauditedSinceLast: 1 });
  });

  it('skip counts attempts over the stranger budget into the next written line', () => {
    const sampler = new StrangerAuditSampler({ windowSec: 60 });
    sampler.skip();
    sampler.skip();
    expect(sampler.admit(5, 0)).toEqual({ write: true, unauditedSinceLast: 2 });
    expect(sampler.unaudited).toBe(2);
  });

  it('past maxChats fresh chats are sampled as one stream, so memory stays bounded', () => {
    const sampler = new StrangerAuditSampler({ windowSec: 60, every: 3, maxChats: 2 });
    const decisions = [10, 11, 12, 13, 14, 15, 16].map((chat, i) => sampler.admit(chat, i).write);
    expect(decisions).toEqual([true, true, false, false, true, false, false]);
  });

  it('the constructor refuses every below 1', () => {
    expect(() => new StrangerAuditSampler({ windowSec: 60, every: 0 })).toThrow(/every must be an integer of at least 1/);
  });
});
