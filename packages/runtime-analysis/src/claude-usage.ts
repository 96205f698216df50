import { isObj, type Obj } from './json-values.js';
import { parseIntLoose } from './parse-int-loose.js';

// Claude Code's `result` event reports Anthropic's usage, whose `input_tokens` EXCLUDES the tokens read from and
// written to the prompt cache. agentpr records usage the way codex reports it (OpenAI's semantics): `input_tokens`
// with the cached ones included, `cached_input_tokens`, `output_tokens` with the reasoning ones included, and
// `reasoning_output_tokens`. The cost report prices `cached_input_tokens` at the cached price and the rest of the
// input at the input price, so cache writes count at the input price (Anthropic charges them 1.25x for 5-minute
// entries: a slight under-estimate, visible in `cache_creation_input_tokens`).

/** A non-negative integer counter, or null. */
function counter(v: unknown): number | null {
  if (typeof v === 'object') return null;
  const n = parseIntLoose(v);
  return n !== null && n >= 0 ? n : null;
}

interface AnthropicCounts {
  input: number | null;
  cacheRead: number | null;
  cacheCreation: number | null;
  output: number | null;
  thinking: number | null;
}

const sum = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : a + b);

/** The counts of the result's `usage` (Anthropic's snake_case fields). */
function fromUsage(usage: Obj): AnthropicCounts {
  const details = isObj(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return {
    input: counter(usage.input_tokens),
    cacheRead: counter(usage.cache_read_input_tokens),
    cacheCreation: counter(usage.cache_creation_input_tokens),
    output: counter(usage.output_tokens),
    thinking: counter(details.thinking_tokens),
  };
}

/** The counts of `modelUsage`, summed over its models (Claude Code's camelCase fields). */
function fromModelUsage(models: Obj): AnthropicCounts {
  const out: AnthropicCounts = { input: null, cacheRead: null, cacheCreation: null, output: null, thinking: null };
  for (const m of Object.values(models)) {
    if (!isObj(m)) continue;
    out.input = sum(out.input, counter(m.inputTokens));
    out.cacheRead = sum(out.cacheRead, counter(m.cacheReadInputTokens));
    out.cacheCreation = sum(out.cacheCreation, counter(m.cacheCreationInputTokens));
    out.output = sum(out.output, counter(m.outputTokens));
    out.thinking = sum(out.thinking, counter(m.thinkingTokens));
  }
  return out;
}

/**
 * The usage of a Claude Code `result` event in codex's convention: `input_tokens` (fresh + cache reads + cache
 * writes), `cached_input_tokens` (cache reads), `output_tokens`, `reasoning_output_tokens` (thinking, already part of
 * the output) and `cache_creation_input_tokens` (cache writes, part of the input). Taken from `modelUsage` when it has
 * counts (what Claude Code prices `total_cost_usd` from: it leaves out requests that failed and were retried), else
 * from `usage`. Null when the event reports no token counts.
 *
 * @example
 * claudeUsage({ usage: { input_tokens: 4600, cache_read_input_tokens: 2700, cache_creation_input_tokens: 0, output_tokens: 520 } })
 * // → { input_tokens: 7300, cached_input_tokens: 2700, cache_creation_input_tokens: 0, output_tokens: 520 }
 */
export function claudeUsage(result: Obj): Record<string, number> | null {
  const models = isObj(result.modelUsage) ? fromModelUsage(result.modelUsage) : null;
  const usage = isObj(result.usage) ? fromUsage(result.usage) : null;
  const c = models && (models.input !== null || models.output !== null) ? models : usage;
  if (!c || (c.input === null && c.cacheRead === null && c.cacheCreation === null && c.output === null)) return null;
  const out: Record<string, number> = { input_tokens: (c.input ?? 0) + (c.cacheRead ?? 0) + (c.cacheCreation ?? 0) };
  out.cached_input_tokens = c.cacheRead ?? 0;
  if (c.cacheCreation !== null) out.cache_creation_input_tokens = c.cacheCreation;
  if (c.output !== null) out.output_tokens = c.output;
  if (c.thinking !== null) out.reasoning_output_tokens = c.thinking;
  return out;
}

/**
 * What Claude Code says the run cost in US dollars (`total_cost_usd`, else the sum of `modelUsage[*].costUSD`), at
 * its own list prices; null when it does not say. Informational: agentpr's cost report prices tokens with the policy.
 *
 * @example
 * claudeCostUsd({ total_cost_usd: 0.02241 }) // → 0.02241
 */
export function claudeCostUsd(result: Obj): number | null {
  const total = result.total_cost_usd;
  if (typeof total === 'number' && Number.isFinite(total) && total >= 0) return total;
  if (!isObj(result.modelUsage)) return null;
  let cost: number | null = null;
  for (const m of Object.values(result.modelUsage)) {
    const c = isObj(m) ? m.costUSD : undefined;
    if (typeof c === 'number' && Number.isFinite(c) && c >= 0) cost = (cost ?? 0) + c;
  }
  return cost;
}
