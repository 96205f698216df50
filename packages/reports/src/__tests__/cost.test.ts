import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Pricing } from '@agentpr/policy';
import type { UsageSums } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { addCosts, costOf, loadPricing, runCost } from '../index.js';

afterAll(() => cleanupTempDirs());

const PRICING: Pricing = {
  currency: 'USD',
  models: {
    'gpt-5-codex': { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 },
    codex: { input_per_mtok: 2, cached_input_per_mtok: 0.5, output_per_mtok: 8 },
  },
};

const group = (over: Partial<UsageSums>): UsageSums => ({
  engine: 'codex',
  model: 'gpt-5-codex',
  attempts: 1,
  reported: 1,
  input_tokens: 0,
  cached_input_tokens: 0,
  output_tokens: 0,
  reasoning_tokens: 0,
  ...over,
});

describe('costOf', () => {
  it('prices cached input at the cached price, the rest at the input price, and output (reasoning included, once) at the output price', () => {
    const c = costOf([group({ input_tokens: 2_000_000, cached_input_tokens: 1_000_000, output_tokens: 100_000, reasoning_tokens: 40_000 })], PRICING);
    // 1M fresh × 1.25 + 1M cached × 0.125 + 0.1M output × 10 = 1.25 + 0.125 + 1.0
    expect(c).toMatchObject({ cost: 2.375, currency: 'USD', total_tokens: 2_100_000, reasoning_tokens: 40_000, notes: [] });
  });

  it('falls back to the engine\'s price when the model is unknown or unpriced, and sums groups', () => {
    const c = costOf([group({ model: null, input_tokens: 1_000_000, output_tokens: 0 }), group({ model: 'o9-unlisted', input_tokens: 0, output_tokens: 1_000_000 })], PRICING);
    expect(c.cost).toBe(2 + 8);
    expect(c.agent_attempts).toBe(2);
  });

  it('with a missing price the cost is unknown (null, never 0) and the note names the model', () => {
    const c = costOf([group({ input_tokens: 500, output_tokens: 50 }), group({ engine: 'claude', model: 'claude-x', input_tokens: 10, output_tokens: 1 })], PRICING);
    expect(c.cost).toBeNull();
    expect(c.notes).toEqual(['no price for claude-x in pricing.models']);
    expect(costOf([group({ model: 'gpt-5-codex', input_tokens: 5 })], { currency: 'EUR', models: {} }).notes).toEqual(['no price for gpt-5-codex in pricing.models']);
    expect(costOf([group({ engine: 'claude', model: null, input_tokens: 5 })], { currency: 'EUR', models: {} }).notes).toEqual(['no price for claude (model unknown) in pricing.models']);
  });

  it('attempts that reported no usage count, add no tokens, and are noted; no tokens costs 0 without a price', () => {
    const c = costOf([group({ engine: null, model: null, attempts: 2, reported: 0 })], { currency: 'USD', models: {} });
    expect(c).toMatchObject({ cost: 0, total_tokens: 0, agent_attempts: 2, attempts_with_usage: 0, notes: ['2 of 2 agent attempts recorded no token usage (not counted)'] });
  });

  it('addCosts: a run without a price makes its repository\'s and campaign\'s cost unknown; notes merge', () => {
    const priced = costOf([group({ input_tokens: 1_000_000 })], PRICING);
    const unpriced = costOf([group({ engine: 'claude', model: 'claude-x', input_tokens: 1 }), group({ engine: null, model: null, reported: 0 })], PRICING);
    expect(addCosts([priced, priced], 'USD')).toMatchObject({ cost: 2.5, total_tokens: 2_000_000, agent_attempts: 2 });
    const both = addCosts([priced, unpriced], 'USD');
    expect(both.cost).toBeNull();
    expect(both.notes).toEqual(['no price for claude-x in pricing.models', '1 of 3 agent attempts recorded no token usage (not counted)']);
  });
});

describe('the price table from the policy file', () => {
  it('loadPricing reads pricing (cached price defaulting to the input price); a malformed table is a one-line policy error', async () => {
    const dir = tempDir('agentpr-pricing-');
    const file = join(dir, 'manager_policy.json');
    writeFileSync(file, JSON.stringify({ pricing: { currency: 'EUR', models: { 'GPT-5-Codex': { input_per_mtok: 1, output_per_mtok: 4 } } } }));
    const ok = await loadPricing(file);
    expect(ok).toEqual({ ok: true, pricing: { currency: 'EUR', models: { 'gpt-5-codex': { input_per_mtok: 1, cached_input_per_mtok: 1, output_per_mtok: 4 } } } });
    for (const bad of [{ models: { m: { input_per_mtok: -1, output_per_mtok: 1 } } }, { models: { m: { input_per_mtok: 1 } } }, { models: [] }, { currency: 'dollars' }]) {
      writeFileSync(file, JSON.stringify({ pricing: bad }));
      const r = await loadPricing(file);
      if (r.ok) throw new Error(`accepted ${JSON.stringify(bad)}`);
      expect(r.error.code).toBe('config');
      expect(r.error.message).toContain('pricing');
      expect(r.error.message).not.toContain('\n');
    }
  });

  it('runCost reads the policy only when there are tokens, and a broken policy shows as an unknown cost with the reason', async () => {
    const dir = tempDir('agentpr-pricing-');
    const file = join(dir, 'manager_policy.json');
    writeFileSync(file, '{ not json');
    expect(await runCost([group({ reported: 0 })], file)).toMatchObject({ cost: 0, total_tokens: 0 });
    const broken = await runCost([group({ input_tokens: 10 })], file);
    expect(broken.cost).toBeNull();
    expect(broken.notes[0]).toMatch(/^no price: invalid JSON: .*manager_policy\.json/);
    writeFileSync(file, JSON.stringify({ pricing: { models: { '*': { input_per_mtok: 1, output_per_mtok: 1 } } } }));
    expect((await runCost([group({ input_tokens: 1_000_000 })], file)).cost).toBe(1);
  });
});
