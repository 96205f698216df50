import type { UsageSums } from '@agentpr/store';
import { costOf, type RunPricing } from './cost.js';
import { engineLabel } from './engine-name.js';

// Which agent engine (codex, claude) and model ran a run's or a campaign's attempts, with their tokens and cost: the
// per-engine rows show-run, inspect-run, campaign-report and the dashboard list under the totals.

/** The agent attempts of one engine and model, their tokens and what they cost. */
export interface EngineUsage {
  /** `codex`, `claude`; null for attempts recorded before engines were (they were codex's). */
  engine: string | null;
  model: string | null;
  /** Engine and model as one line for people (`claude · claude-sonnet-4-5`; see {@link engineLabel}). */
  label: string;
  attempts: number;
  /** Attempts of the group that recorded token usage. */
  attempts_with_usage: number;
  /** input + output tokens. */
  total_tokens: number;
  /** Money in the price table's currency; null when the group's tokens have no price (or the policy could not be read). */
  cost: number | null;
}

/** Sums groups of attempts that share an engine and model (a campaign's per-run groups) into one group each. */
export function mergeUsageGroups(groups: readonly UsageSums[]): UsageSums[] {
  const merged = new Map<string, UsageSums>();
  for (const g of groups) {
    const key = JSON.stringify([g.engine, g.model]);
    const into = merged.get(key);
    if (!into) {
      const { engine, model, attempts, reported, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens } = g;
      merged.set(key, { engine, model, attempts, reported, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens });
      continue;
    }
    into.attempts += g.attempts;
    into.reported += g.reported;
    into.input_tokens += g.input_tokens;
    into.cached_input_tokens += g.cached_input_tokens;
    into.output_tokens += g.output_tokens;
    into.reasoning_tokens += g.reasoning_tokens;
  }
  return [...merged.values()];
}

/**
 * The tokens and cost of each engine and model among `groups` (merged first), priced like the totals: the costliest
 * first, then the most attempts. A policy that could not be read makes every cost null, as it does the total's.
 *
 * @example
 * engineUsage(await runUsage(db, runId), await pricingFor(groups, policyFile))
 * // → [{ engine: 'claude', model: 'claude-sonnet-4-5', label: 'claude · claude-sonnet-4-5', attempts: 2, …, cost: 0.18 }, …]
 */
export function engineUsage(groups: readonly UsageSums[], priced: RunPricing): EngineUsage[] {
  return mergeUsageGroups(groups)
    .map((g) => {
      const summary = costOf([g], priced.pricing);
      const cost = priced.problem !== null && summary.total_tokens > 0 ? null : summary.cost;
      const label = engineLabel(g.engine, g.model);
      return { engine: g.engine, model: g.model, label, attempts: g.attempts, attempts_with_usage: g.reported, total_tokens: summary.total_tokens, cost };
    })
    .sort((a, b) => (b.cost ?? -1) - (a.cost ?? -1) || b.attempts - a.attempts || a.label.localeCompare(b.label));
}
