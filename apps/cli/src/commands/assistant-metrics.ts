import { AgentprError } from '@agentpr/orchestrator/errors';
import type { AssistantUsageTotals } from '@agentpr/reports';
import type { CommandSpec } from '../command.js';
import { table } from '../render.js';
import { int, str } from '../values.js';

const usd = (n: number): string => `$${n.toFixed(n !== 0 && n < 0.01 ? 4 : 2)}`;

/** `agentpr assistant-metrics`: what the natural-language operator was asked and spent, per day, chat and model. */
export const command: CommandSpec = {
  name: 'assistant-metrics',
  summary: 'Show what the manager LLM was asked and spent: requests by outcome, tokens, tool calls and cost per day, chat and model.',
  example: 'agentpr assistant-metrics --days 7',
  options: {
    days: { type: 'string', value: 'N', description: 'today and the N-1 UTC days before it (default 7)' },
    since: { type: 'string', value: 'DATE', description: 'from this ISO date or time instead of --days, e.g. 2026-12-01' },
    'chat-key': { type: 'string', value: 'KEY', description: 'only this chat, e.g. tg:12345 or cli:alice' },
    limit: { type: 'string', value: 'N', description: 'chats and models listed, the largest token users first (default 20)' },
  },
  async run(ctx, values) {
    const days = int(values, 'days', { min: 1, max: 3650 });
    const sinceDate = str(values, 'since');
    if (days !== undefined && sinceDate !== undefined) throw new AgentprError('usage', '--days and --since cannot be combined; give one');
    const chatKey = str(values, 'chat-key');
    const limit = int(values, 'limit', { min: 1, default: 20 })!;
    const { assistantMetrics } = await import('@agentpr/reports');
    const m = await assistantMetrics(await ctx.app(), { since: sinceDate ?? days ?? 7, ...(chatKey !== undefined ? { chatKey } : {}), limit });
    const t = m.totals;
    const head = `${t.requests} requests from ${t.chats} chats since ${m.window.since}${m.window.chat_key ? ` in ${m.window.chat_key}` : ''}`;
    if (t.requests === 0) return { output: m, text: `${head}: nothing asked yet` };
    const cells = (r: AssistantUsageTotals): string[] => [
      ...[r.requests, r.answered, r.budget_exhausted, r.model_unavailable, r.input_tokens, r.output_tokens, r.tool_calls].map(String),
      usd(r.cost_usd),
    ];
    const columns = ['REQUESTS', 'ANSWERED', 'BUDGET', 'UNAVAILABLE', 'IN TOKENS', 'OUT TOKENS', 'TOOL CALLS', 'COST'];
    const text = [
      `${head}: ${t.input_tokens + t.output_tokens} tokens, ${t.tool_calls} tool calls, ${usd(t.cost_usd)}`,
      '',
      table(['DAY', ...columns], m.by_day.map((d) => [d.day, ...cells(d)])),
      '',
      table(['CHAT', ...columns], m.by_chat.map((c) => [c.chat_key, ...cells(c)])),
      '',
      table(['MODEL', ...columns], m.by_model.map((x) => [x.model, ...cells(x)])),
    ].join('\n');
    return { output: m, text };
  },
};
