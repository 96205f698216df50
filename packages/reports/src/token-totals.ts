import type { UsageSums } from '@agentpr/store';

// The token side of cost accounting, free of the price table (and so of the policy package): show-run sums a run's
// tokens with it and reads the policy only when there are tokens to price (`cost.ts`).

/** Token sums of some agent attempts. */
export interface TokenTotals {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  /** Part of `output_tokens`, shown on its own. */
  reasoning_tokens: number;
  /** input + output. */
  total_tokens: number;
}

/** What some agent attempts used and cost. */
export interface CostSummary extends TokenTotals {
  agent_attempts: number;
  /** Agent attempts that recorded token usage (older attempts and engines that report none did not). */
  attempts_with_usage: number;
  /** Money in `currency`, rounded to 6 decimals; null when some tokens have no price in the policy's table. */
  cost: number | null;
  currency: string;
  /** Why the cost is null or partial knowledge, one line each: `no price for gpt-5-codex in pricing.models`. */
  notes: string[];
}

/** A summary of nothing, in the table's currency. */
export function emptyCost(currency: string): CostSummary {
  const tokens = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0, total_tokens: 0 };
  return { agent_attempts: 0, attempts_with_usage: 0, ...tokens, cost: 0, currency, notes: [] };
}

/** Whether any of these groups has tokens to price. */
export function hasTokens(groups: readonly Pick<UsageSums, 'input_tokens' | 'output_tokens'>[]): boolean {
  return groups.some((g) => g.input_tokens + g.output_tokens > 0);
}

/** The note for agent attempts that recorded no usage, or null when every one did. */
export function silentAttemptsNote(attempts: number, withUsage: number): string | null {
  const silent = attempts - withUsage;
  return silent > 0 ? `${silent} of ${attempts} agent attempts recorded no token usage (not counted)` : null;
}

/**
 * The tokens of groups of agent attempts without pricing them: the cost is 0 when they used none, else null (unknown;
 * price them with `costOf`).
 */
export function unpricedTotals(groups: readonly UsageSums[], currency: string): CostSummary {
  const total = emptyCost(currency);
  for (const g of groups) {
    total.agent_attempts += g.attempts;
    total.attempts_with_usage += g.reported;
    total.input_tokens += g.input_tokens;
    total.cached_input_tokens += g.cached_input_tokens;
    total.output_tokens += g.output_tokens;
    total.reasoning_tokens += g.reasoning_tokens;
  }
  total.total_tokens = total.input_tokens + total.output_tokens;
  const note = silentAttemptsNote(total.agent_attempts, total.attempts_with_usage);
  return { ...total, cost: total.total_tokens > 0 ? null : 0, notes: note ? [note] : [] };
}
