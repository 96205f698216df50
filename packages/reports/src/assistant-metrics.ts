import { assistantUsage, type AssistantUsageRow } from '@agentpr/store';
import type { ReportContext } from './report-context.js';
import { ReportError } from './errors.js';

/** Input of {@link assistantMetrics}. */
export interface AssistantMetricsInput {
  /**
   * Where the window starts: a number N of UTC days (today and the N−1 days before it, from midnight), or an ISO date
   * (`2026-12-01`) or time. Default 7 days.
   */
  since?: string | number;
  /** Only this chat (`tg:<chat id>`, `cli:<user>`). */
  chatKey?: string;
  /** The most chats and models listed, the largest token users first (default 20); totals and days count all. */
  limit?: number;
}

/**
 * Sums over a set of assistant requests: the store's per-group sums without the key. `cost_usd` is priced from the
 * policy's `manager_llm` prices at the time of each request; 0 when they were unknown.
 */
export type AssistantUsageTotals = Omit<AssistantUsageRow, 'key'>;

/** The assistant-metrics document. */
export interface AssistantMetricsResult {
  ok: true;
  window: { since: string; until: string; days: number | null; chat_key: string | null };
  totals: AssistantUsageTotals & { chats: number };
  /** Days with requests, oldest first (`YYYY-MM-DD`, UTC). */
  by_day: Array<{ day: string } & AssistantUsageTotals>;
  /** The chats using the most tokens first, at most `limit`. */
  by_chat: Array<{ chat_key: string } & AssistantUsageTotals>;
  /** The models using the most tokens first, at most `limit`. */
  by_model: Array<{ model: string } & AssistantUsageTotals>;
}

const DAY_MS = 86_400_000;
const MAX_DAYS = 3650;

/** The window's start: midnight UTC N−1 days ago for a number, the given date or time for a string. */
function windowStart(since: string | number, now: Date): { since: string; days: number | null } {
  if (typeof since === 'number') {
    if (!Number.isInteger(since) || since < 1 || since > MAX_DAYS) throw new ReportError('usage', `--days must be an integer from 1 to ${MAX_DAYS}, got ${since}`);
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    return { since: new Date(midnight - (since - 1) * DAY_MS).toISOString(), days: since };
  }
  const text = since.trim();
  const parsed = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? new Date(text) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new ReportError('usage', `--since must be an ISO date such as 2026-12-01 or 2026-12-01T08:00:00Z, got ${JSON.stringify(since)}`);
  }
  return { since: parsed.toISOString(), days: null };
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

function sums(row: AssistantUsageRow): AssistantUsageTotals {
  return {
    requests: row.requests,
    answered: row.answered,
    budget_exhausted: row.budget_exhausted,
    model_unavailable: row.model_unavailable,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    tool_calls: row.tool_calls,
    cost_usd: round6(row.cost_usd),
  };
}

function total(rows: readonly AssistantUsageRow[]): AssistantUsageTotals {
  const t = { requests: 0, answered: 0, budget_exhausted: 0, model_unavailable: 0, input_tokens: 0, output_tokens: 0, tool_calls: 0, cost_usd: 0 };
  for (const r of rows) {
    t.requests += r.requests;
    t.answered += r.answered;
    t.budget_exhausted += r.budget_exhausted;
    t.model_unavailable += r.model_unavailable;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.tool_calls += r.tool_calls;
    t.cost_usd += r.cost_usd;
  }
  return { ...t, cost_usd: round6(t.cost_usd) };
}

/** The largest token users first (ties by key), at most `limit`. */
function largest(rows: readonly AssistantUsageRow[], limit: number): AssistantUsageRow[] {
  const tokens = (r: AssistantUsageRow): number => r.input_tokens + r.output_tokens;
  return [...rows].sort((a, b) => tokens(b) - tokens(a) || a.key.localeCompare(b.key)).slice(0, limit);
}

/**
 * assistant-metrics: what the natural-language operator was asked and spent (requests by outcome, tokens, tool
 * calls, cost) over a window, in total, per UTC day, per chat and per model. Sums are computed by the store, so the
 * report reads one row per group however many requests there were.
 *
 * @example
 * const m = await assistantMetrics(ctx, { since: 7 });
 * m.totals; // { requests: 42, answered: 40, budget_exhausted: 2, ..., cost_usd: 0.31 }
 */
export async function assistantMetrics(ctx: Pick<ReportContext, 'db' | 'clock'>, input: AssistantMetricsInput = {}): Promise<AssistantMetricsResult> {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new ReportError('usage', `--limit must be an integer of at least 1, got ${limit}`);
  const chatKey = input.chatKey?.trim();
  if (input.chatKey !== undefined && !chatKey) throw new ReportError('usage', '--chat-key must not be empty');
  const now = ctx.clock();
  const window = windowStart(input.since ?? 7, now);
  const filter = { since: window.since, ...(chatKey ? { chatKey } : {}) };
  const [days, chats, models] = await Promise.all([assistantUsage(ctx.db, filter, 'day'), assistantUsage(ctx.db, filter, 'chat'), assistantUsage(ctx.db, filter, 'model')]);
  return {
    ok: true,
    window: { since: window.since, until: now.toISOString(), days: window.days, chat_key: chatKey ?? null },
    totals: { ...total(days), chats: chats.length },
    by_day: days.map((d) => ({ day: d.key, ...sums(d) })),
    by_chat: largest(chats, limit).map((c) => ({ chat_key: c.key, ...sums(c) })),
    by_model: largest(models, limit).map((m) => ({ model: m.key, ...sums(m) })),
  };
}
