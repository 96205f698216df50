import { describe, expect, it } from 'vitest';
import { costOf } from './cost.js';
import { engineLabel } from './engine-name.js';
import { engineUsage, mergeUsageGroups } from './engine-usage.js';

const group = (engine: string | null, model: string | null, attempts: number, input: number, output: number) => ({
  engine, model, attempts, reported: attempts, input_tokens: input, cached_input_tokens: 0, output_tokens: output, reasoning_tokens: 0,
});
const PRICES = { currency: 'USD', models: { 'claude-sonnet-4-5': { input_per_mtok: 3, cached_input_per_mtok: 0.3, output_per_mtok: 15 } } };

describe('engineLabel', () => {
  it('joins engine and model, says when either is unknown, and replaces controls and cuts hostile names', () => {
    expect(engineLabel('claude', 'claude-sonnet-4-5')).toBe('claude · claude-sonnet-4-5');
    expect(engineLabel('codex', null)).toBe('codex');
    expect(engineLabel(null, 'gpt-5-codex')).toBe('unknown engine · gpt-5-codex');
    expect(engineLabel(null, '  ')).toBe('unknown engine');
    expect(engineLabel('claude', `a\u202eb\n${'x'.repeat(70)}`)).toBe(`claude · a\uFFFDb\uFFFD${'x'.repeat(70)}`);
    // Never cut (a cut could keep part of a secret the redactor would miss): described instead.
    expect(engineLabel('claude', `a\u202eb\n${'x'.repeat(200)}`)).toBe('claude · [a 204-character name]');
  });

  it('cleans a hostile model name in the missing-price note too', () => {
    const notes = costOf([group('claude', 'evil\u001b[31m\nname', 1, 10, 1)], PRICES).notes;
    expect(notes).toEqual(['no price for evil\uFFFD[31m\uFFFDname in pricing.models']);
  });
});

describe('engineUsage', () => {
  it('merges the groups of one engine and model, prices each, and lists the costliest first', () => {
    const groups = [group('claude', 'claude-sonnet-4-5', 1, 100_000, 10_000), group('codex', 'gpt-5-codex', 3, 50_000, 1_000), group('claude', 'claude-sonnet-4-5', 2, 100_000, 0)];
    expect(mergeUsageGroups(groups)).toHaveLength(2);
    expect(engineUsage(groups, { pricing: PRICES, problem: null })).toEqual([
      { engine: 'claude', model: 'claude-sonnet-4-5', label: 'claude · claude-sonnet-4-5', attempts: 3, attempts_with_usage: 3, total_tokens: 210_000, cost: 0.75 },
      { engine: 'codex', model: 'gpt-5-codex', label: 'codex · gpt-5-codex', attempts: 3, attempts_with_usage: 3, total_tokens: 51_000, cost: null },
    ]);
  });

  it('makes every priced cost null when the policy could not be read, as the totals do', () => {
    const rows = engineUsage([group('claude', 'claude-sonnet-4-5', 1, 100, 10)], { pricing: PRICES, problem: 'manager_policy.json: invalid JSON' });
    expect(rows[0]!.cost).toBeNull();
  });
});
