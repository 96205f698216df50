import type { ScenarioBlock, ScenarioUsage } from './scenario.js';

/** One server-sent event of the Messages stream: its `event:` name and its `data:` JSON (whose `type` repeats the name). */
export interface SseEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Ids of one reply: the message id and the prefix of its tool_use ids (unique per step, so per conversation). */
export interface ReplyIds {
  messageId: string;
  step: number;
}

/** Renders one event in SSE wire format: `event: <type>\ndata: <json>\n\n`. */
export function formatSse(event: SseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify({ type: event.type, ...event.data })}\n\n`;
}

/** The API's `usage` for a scenario usage (defaults: 1000 + 100·step input tokens, 50 output tokens, no cache). */
export function toUsage(usage: ScenarioUsage | undefined, step: number): Required<ScenarioUsage> {
  return {
    input_tokens: usage?.input_tokens ?? 1000 + 100 * step,
    output_tokens: usage?.output_tokens ?? 50,
    cache_creation_input_tokens: usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage?.cache_read_input_tokens ?? 0,
  };
}

/** The id of the `index`-th block of a step's reply, when it is a tool call: `toolu_stub_<step>_<index>`. */
export function toolUseId(step: number, index: number): string {
  return `toolu_stub_${step}_${index}`;
}

/** A scenario block as the API's content block. */
export function toContentBlock(block: ScenarioBlock, step: number, index: number): Record<string, unknown> {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: toolUseId(step, index), name: block.name, input: block.input };
    default: {
      const never: never = block;
      throw new Error(`unknown scenario block ${JSON.stringify(never)}`);
    }
  }
}

/** `tool_use` when the reply calls a tool, else `end_turn` (a scenario may say otherwise). */
export function stopReasonOf(blocks: readonly ScenarioBlock[], scripted?: string): string {
  return scripted ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
}

/**
 * The complete non-streaming answer (`stream` absent or false): one `message` object with content, stop reason and usage.
 */
export function replyMessage(
  blocks: readonly ScenarioBlock[],
  usage: ScenarioUsage | undefined,
  ids: ReplyIds,
  model: string,
  stopReason?: string,
): Record<string, unknown> {
  return {
    id: ids.messageId,
    type: 'message',
    role: 'assistant',
    model,
    content: blocks.map((block, index) => toContentBlock(block, ids.step, index)),
    stop_reason: stopReasonOf(blocks, stopReason),
    stop_sequence: null,
    usage: toUsage(usage, ids.step),
  };
}

/** `message_start`: an empty assistant message with the input usage (and 1 output token, as the API reports). */
export function messageStart(usage: ScenarioUsage | undefined, ids: ReplyIds, model: string): SseEvent {
  const u = toUsage(usage, ids.step);
  return {
    type: 'message_start',
    data: {
      message: {
        id: ids.messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null,
        usage: {
          input_tokens: u.input_tokens,
          cache_creation_input_tokens: u.cache_creation_input_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens,
          output_tokens: 1,
        },
      },
    },
  };
}

/**
 * The events of one content block: `content_block_start` (empty text, or the tool call with `input: {}`), its deltas
 * (`text_delta`, or the input JSON in `input_json_delta` pieces, as the API streams it) and `content_block_stop`.
 */
export function blockEvents(block: ScenarioBlock, step: number, index: number): SseEvent[] {
  const events: SseEvent[] = [];
  switch (block.type) {
    case 'text':
      events.push({ type: 'content_block_start', data: { index, content_block: { type: 'text', text: '' } } });
      for (const text of pieces(block.text, 3)) events.push({ type: 'content_block_delta', data: { index, delta: { type: 'text_delta', text } } });
      break;
    case 'tool_use':
      events.push({ type: 'content_block_start', data: { index, content_block: { type: 'tool_use', id: toolUseId(step, index), name: block.name, input: {} } } });
      for (const partial_json of ['', ...pieces(JSON.stringify(block.input), 3)]) {
        events.push({ type: 'content_block_delta', data: { index, delta: { type: 'input_json_delta', partial_json } } });
      }
      break;
    default: {
      const never: never = block;
      throw new Error(`unknown scenario block ${JSON.stringify(never)}`);
    }
  }
  events.push({ type: 'content_block_stop', data: { index } });
  return events;
}

/**
 * The full SSE sequence of one completed reply: `message_start`, `ping`, each block's events, `message_delta` (stop
 * reason and output usage) and `message_stop`.
 */
export function replyEvents(blocks: readonly ScenarioBlock[], usage: ScenarioUsage | undefined, ids: ReplyIds, model: string, stopReason?: string): SseEvent[] {
  const events: SseEvent[] = [messageStart(usage, ids, model), { type: 'ping', data: {} }];
  blocks.forEach((block, index) => events.push(...blockEvents(block, ids.step, index)));
  events.push({
    type: 'message_delta',
    data: { delta: { stop_reason: stopReasonOf(blocks, stopReason), stop_sequence: null }, usage: { output_tokens: toUsage(usage, ids.step).output_tokens } },
  });
  events.push({ type: 'message_stop', data: {} });
  return events;
}

/** A reply that fails mid-stream: `message_start`, `ping`, the blocks streamed so far, then an SSE `error` event. */
export function streamErrorEvents(blocks: readonly ScenarioBlock[], errorType: string, message: string, ids: ReplyIds, model: string): SseEvent[] {
  const events: SseEvent[] = [messageStart(undefined, ids, model), { type: 'ping', data: {} }];
  blocks.forEach((block, index) => events.push(...blockEvents(block, ids.step, index)));
  events.push(errorEvent(errorType, message));
  return events;
}

/** The API's error body (also the data of an SSE `error` event): `{type: 'error', error: {type, message}}`. */
export function errorEvent(errorType: string, message: string): SseEvent {
  return { type: 'error', data: { error: { type: errorType, message } } };
}

/** The API's `error.type` for an HTTP status, as the real API names them. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 529: return 'overloaded_error';
    default: return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** Splits text into at most `count` non-empty pieces of about equal length (whole text when short). */
function pieces(text: string, count: number): string[] {
  if (text.length <= count) return [text];
  const size = Math.ceil(text.length / count);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
