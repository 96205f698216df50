import type { ScenarioItem, ScenarioUsage } from './scenario.js';

/** One server-sent event of the Responses API stream: its `event:` name and its `data:` JSON. */
export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Tool-result item types whose count in a request's `input` selects the scenario step. */
export const TOOL_OUTPUT_TYPES: ReadonlySet<string> = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);

/**
 * The step a request asks for: the number of tool-result items in its `input` (stateless scripting: the stub keeps no session).
 * A retried request carries the same input, so it gets the same step.
 */
export function stepIndexOf(body: unknown): number {
  const input = (body as { input?: unknown } | null)?.input;
  if (!Array.isArray(input)) return 0;
  return input.filter((item) => TOOL_OUTPUT_TYPES.has((item as { type?: unknown } | null)?.type as string)).length;
}

/** The names of the tools a request offers (`tools[].name`), so the stub can tell whether `apply_patch` is available. */
export function offeredToolNames(body: unknown): string[] {
  const tools = (body as { tools?: unknown } | null)?.tools;
  if (!Array.isArray(tools)) return [];
  return tools.map((tool) => (tool as { name?: unknown } | null)?.name).filter((name): name is string => typeof name === 'string');
}

/** Renders one event in SSE wire format: `event: <type>\ndata: <json>\n\n`. */
export function formatSse(event: SseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify({ type: event.type, ...event.data })}\n\n`;
}

/** Converts a scenario item into the Responses API output item codex reads from `response.output_item.done`. */
export function toOutputItem(item: ScenarioItem, ids: { itemId: string; callId: string }): Record<string, unknown> {
  switch (item.type) {
    case 'reasoning':
      return {
        type: 'reasoning',
        id: ids.itemId,
        summary: [{ type: 'summary_text', text: item.text }],
        content: null,
        encrypted_content: null,
      };
    case 'message':
      return {
        type: 'message',
        role: 'assistant',
        id: ids.itemId,
        status: 'completed',
        content: [{ type: 'output_text', text: item.text, annotations: [] }],
        ...(item.phase ? { phase: item.phase } : {}),
      };
    case 'exec_command': {
      const args: Record<string, unknown> = { cmd: item.cmd, login: item.login ?? false };
      if (item.workdir !== undefined) args.workdir = item.workdir;
      if (item.yield_time_ms !== undefined) args.yield_time_ms = item.yield_time_ms;
      return { type: 'function_call', id: ids.itemId, call_id: ids.callId, name: 'exec_command', arguments: JSON.stringify(args) };
    }
    case 'apply_patch':
      return { type: 'custom_tool_call', id: ids.itemId, call_id: ids.callId, name: 'apply_patch', input: item.patch };
    default: {
      const never: never = item;
      throw new Error(`unknown scenario item ${JSON.stringify(never)}`);
    }
  }
}

/** The Responses API usage object for a scenario usage (defaults: 100 + 10·step input tokens, 20 output tokens). */
export function toUsage(usage: ScenarioUsage | undefined, step: number): Record<string, unknown> {
  const input = usage?.input_tokens ?? 100 + 10 * step;
  const cached = usage?.cached_tokens ?? 0;
  const output = usage?.output_tokens ?? 20;
  const reasoning = usage?.reasoning_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

/**
 * The full SSE event sequence of one completed model reply: `response.created`, per item `output_item.added`
 * (+ `output_text.delta` for messages) and `output_item.done`, then `response.completed` with usage.
 */
export function replyEvents(items: readonly ScenarioItem[], usage: ScenarioUsage | undefined, step: number, responseId: string): SseEvent[] {
  const events: SseEvent[] = [{ type: 'response.created', data: { response: { id: responseId, status: 'in_progress' } } }];
  items.forEach((item, index) => {
    const ids = { itemId: `${itemPrefix(item)}_${step}_${index}`, callId: `call_${step}_${index}` };
    const output = toOutputItem(item, ids);
    events.push({ type: 'response.output_item.added', data: { output_index: index, item: output } });
    if (item.type === 'message') {
      events.push({ type: 'response.output_text.delta', data: { item_id: ids.itemId, output_index: index, content_index: 0, delta: item.text } });
    }
    events.push({ type: 'response.output_item.done', data: { output_index: index, item: output } });
  });
  events.push({ type: 'response.completed', data: { response: { id: responseId, status: 'completed', usage: toUsage(usage, step) } } });
  return events;
}

/** The SSE events of a reply that fails mid-stream: `response.created` then `response.failed` with the error. */
export function failedEvents(code: string, message: string, responseId: string): SseEvent[] {
  return [
    { type: 'response.created', data: { response: { id: responseId, status: 'in_progress' } } },
    { type: 'response.failed', data: { response: { id: responseId, status: 'failed', error: { code, message } } } },
  ];
}

function itemPrefix(item: ScenarioItem): string {
  switch (item.type) {
    case 'reasoning':
      return 'rs';
    case 'message':
      return 'msg';
    case 'exec_command':
      return 'fc';
    case 'apply_patch':
      return 'ctc';
  }
}
