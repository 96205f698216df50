import { describe, expect, it } from 'vitest';
import { claudeCostUsd, claudeUsage } from './claude-usage.js';

describe('claudeUsage (Anthropic usage → codex convention)', () => {
  it('counts cache reads and cache writes into input_tokens, cache reads as cached_input_tokens', () => {
    expect(claudeUsage({ usage: { input_tokens: 4600, cache_read_input_tokens: 2700, cache_creation_input_tokens: 300, output_tokens: 520 } })).toEqual({
      input_tokens: 7600, cached_input_tokens: 2700, cache_creation_input_tokens: 300, output_tokens: 520,
    });
  });

  it('takes thinking tokens as reasoning_output_tokens, already part of output_tokens (never added twice)', () => {
    const u = claudeUsage({ usage: { input_tokens: 10, output_tokens: 90, output_tokens_details: { thinking_tokens: 60 } } });
    expect(u).toEqual({ input_tokens: 10, cached_input_tokens: 0, output_tokens: 90, reasoning_output_tokens: 60 });
  });

  it('prefers modelUsage, summed over its models, to usage (claude prices modelUsage; usage also counts retried requests)', () => {
    const result = {
      usage: { input_tokens: 9999, cache_read_input_tokens: 1, output_tokens: 9999 },
      modelUsage: {
        'claude-sonnet-4-5': {
          inputTokens: 1500, cacheReadInputTokens: 1200, cacheCreationInputTokens: 100, outputTokens: 40, thinkingTokens: 0, costUSD: 0.006,
        },
        'claude-haiku-4-5': { inputTokens: 200, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, outputTokens: 10, costUSD: 0.0003 },
      },
    };
    expect(claudeUsage(result)).toEqual({
      input_tokens: 3000, cached_input_tokens: 1200, cache_creation_input_tokens: 100, output_tokens: 50, reasoning_output_tokens: 0,
    });
  });

  it('falls back to usage when modelUsage has no counts, and is null when neither has any', () => {
    const fallback = claudeUsage({ modelUsage: { m: { costUSD: 1 } }, usage: { input_tokens: 5, output_tokens: 2 } });
    expect(fallback).toEqual({ input_tokens: 5, cached_input_tokens: 0, output_tokens: 2 });
    expect(claudeUsage({ modelUsage: {}, usage: {} })).toBeNull();
    expect(claudeUsage({ result: 'done' })).toBeNull();
  });

  it('ignores counters that are negative, not numbers or nested objects, and truncates fractions', () => {
    expect(claudeUsage({ usage: { input_tokens: -5, cache_read_input_tokens: 'many', cache_creation_input_tokens: { n: 1 }, output_tokens: 7.9 } })).toEqual({
      input_tokens: 0, cached_input_tokens: 0, output_tokens: 7,
    });
  });
});

describe('claudeCostUsd', () => {
  it('is total_cost_usd, else the sum of modelUsage costUSD, else null', () => {
    expect(claudeCostUsd({ total_cost_usd: 0.02241, modelUsage: { m: { costUSD: 5 } } })).toBe(0.02241);
    expect(claudeCostUsd({ modelUsage: { a: { costUSD: 0.25 }, b: { costUSD: 0.5 }, c: { costUSD: 'x' } } })).toBe(0.75);
    expect(claudeCostUsd({ total_cost_usd: -1 })).toBeNull();
    expect(claudeCostUsd({ total_cost_usd: 'free' })).toBeNull();
  });
});
