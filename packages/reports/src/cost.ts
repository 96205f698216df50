import { loadPolicy, priceFor, type ModelPrice, type Pricing } from '@agentpr/policy';
import type { UsageSums } from '@agentpr/store';
import { cleanEngineName } from './engine-name.js';
import type { ReportError } from './errors.js';
import { policyError } from './policy-error.js';
import { emptyCost, hasTokens, silentAttemptsNote, unpricedTotals, type CostSummary, type TokenTotals } from './token-totals.js';

// Tokens → money. The engine reports `input_tokens` with the cached ones included and `output_tokens` with the
// reasoning ones included (OpenAI's usage semantics, which codex repeats), so: cached input at the cached price, the
// rest of the input at the input price, all output (reasoning included, never added twice) at the output price.

const MTOK = 1_000_000;
const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** The money `price` charges for these tokens (unrounded). */
export function priceTokens(price: ModelPrice, t: Pick<TokenTotals, 'input_tokens' | 'cached_input_tokens' | 'output_tokens'>): number {
  const cached = Math.min(Math.max(t.cached_input_tokens, 0), Math.max(t.input_tokens, 0));
  const fresh = Math.max(t.input_tokens, 0) - cached;
  return (fresh * price.input_per_mtok + cached * price.cached_input_per_mtok + Math.max(t.output_tokens, 0) * price.output_per_mtok) / MTOK;
}

/** How a group of attempts is named in a note: its model, else its engine with the model unknown (cleaned: see engine-name). */
function groupName(g: Pick<UsageSums, 'engine' | 'model'>): string {
  const model = cleanEngineName(g.model);
  if (model) return model;
  const engine = cleanEngineName(g.engine);
  return engine ? `${engine} (model unknown)` : 'an unknown engine';
}

/** The note for attempts that have no price. */
export function missingPriceNote(g: Pick<UsageSums, 'engine' | 'model'>): string {
  return `no price for ${groupName(g)} in pricing.models`;
}

/**
 * The tokens and cost of groups of agent attempts (per engine and model, as the store sums them): priced with
 * `priceFor(pricing, model, engine)`. Tokens without a price make the cost null, with a note naming the model;
 * attempts that reported no usage count no tokens, with a note saying how many.
 *
 * @example
 * const group = { engine: 'codex', model: 'gpt-5-codex', attempts: 1, reported: 1, input_tokens: 2e6, cached_input_tokens: 1e6, output_tokens: 1e5 };
 * const prices = { 'gpt-5-codex': { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 } };
 * costOf([{ ...group, reasoning_tokens: 0 }], { currency: 'USD', models: prices }).cost // → 2.375
 */
export function costOf(groups: readonly UsageSums[], pricing: Pricing): CostSummary {
  const totals = unpricedTotals(groups, pricing.currency);
  let money: number | null = 0;
  const notes = new Set<string>();
  for (const g of groups) {
    if (g.input_tokens + g.output_tokens === 0) continue;
    const price = priceFor(pricing, g.model, g.engine);
    if (!price) {
      notes.add(missingPriceNote(g));
      money = null;
    } else if (money !== null) money += priceTokens(price, g);
  }
  return { ...totals, cost: money === null ? null : round6(money), notes: [...notes, ...totals.notes] };
}

/** Adds summaries (a run's into a repository's, a repository's into a campaign's): null cost wins, notes merge. */
export function addCosts(parts: readonly CostSummary[], currency: string): CostSummary {
  const total = emptyCost(currency);
  let money: number | null = 0;
  const notes = new Set<string>();
  let silent = 0;
  let attempts = 0;
  for (const p of parts) {
    attempts += p.agent_attempts;
    silent += p.agent_attempts - p.attempts_with_usage;
    total.attempts_with_usage += p.attempts_with_usage;
    total.input_tokens += p.input_tokens;
    total.cached_input_tokens += p.cached_input_tokens;
    total.output_tokens += p.output_tokens;
    total.reasoning_tokens += p.reasoning_tokens;
    money = money === null || p.cost === null ? null : money + p.cost;
    for (const n of p.notes) if (!n.includes('recorded no token usage')) notes.add(n);
  }
  const silentNote = silentAttemptsNote(attempts, attempts - silent);
  if (silentNote) notes.add(silentNote);
  const cost = money === null ? null : round6(money);
  return { ...total, agent_attempts: attempts, total_tokens: total.input_tokens + total.output_tokens, cost, notes: [...notes] };
}

/** The price table of the policy file (its defaults when the file is missing), or the policy error as a report error. */
export async function loadPricing(policyFile: string): Promise<{ ok: true; pricing: Pricing } | { ok: false; error: ReportError }> {
  const loaded = await loadPolicy(policyFile);
  return loaded.ok ? { ok: true, pricing: loaded.policy.pricing } : { ok: false, error: policyError(loaded.error) };
}

/** The price table to price a run with, and why it has none when the policy cannot be loaded. */
export interface RunPricing {
  pricing: Pricing;
  /** The policy's one-line error when it could not be loaded (every cost is then null), else null. */
  problem: string | null;
}

const NO_PRICES: Pricing = { currency: 'USD', models: {} };

/**
 * The price table for a run's groups: read from the policy file only when there are tokens to price (show-run
 * stays fast for runs the agent never ran in). A policy that cannot be loaded does not hide the run: its error
 * becomes the `problem`.
 */
export async function pricingFor(groups: readonly UsageSums[], policyFile: string | undefined): Promise<RunPricing> {
  if (!hasTokens(groups) || policyFile === undefined) return { pricing: NO_PRICES, problem: null };
  const loaded = await loadPricing(policyFile);
  return loaded.ok ? { pricing: loaded.pricing, problem: null } : { pricing: NO_PRICES, problem: loaded.error.message };
}

/** {@link costOf} with a policy problem made visible: the cost is null and the note says why. */
export function pricedCost(groups: readonly UsageSums[], priced: RunPricing): CostSummary {
  const summary = costOf(groups, priced.pricing);
  if (priced.problem === null || !hasTokens(groups)) return summary;
  return { ...summary, cost: null, notes: [`no price: ${priced.problem}`, ...summary.notes.filter((n) => !n.startsWith('no price for'))] };
}

/** The cost of a run's groups priced with the policy file's table (show-run, inspect-run); see {@link pricingFor}. */
export async function runCost(groups: readonly UsageSums[], policyFile: string | undefined): Promise<CostSummary> {
  return pricedCost(groups, await pricingFor(groups, policyFile));
}
