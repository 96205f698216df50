/** One parsed server-sent event. */
export interface Sse {
  event: string;
  data: Record<string, unknown>;
}

/** Parses an SSE body into events, checking that each `data.type` repeats its `event:` name. */
export function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (!event || !data) throw new Error(`malformed SSE block: ${block}`);
      const parsed = JSON.parse(data) as Record<string, unknown>;
      if (parsed.type !== event) throw new Error(`event ${event} carries data.type ${String(parsed.type)}`);
      return { event, data: parsed };
    });
}

/** The assistant message a client rebuilds from a Messages stream: blocks from starts and deltas, stop reason and usage. */
export interface RebuiltMessage {
  id: string;
  content: Array<{ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown }>;
  stop_reason: string | null;
  usage: Record<string, unknown>;
  error: { type: string; message: string } | null;
  stopped: boolean;
}

/** Rebuilds the message the way the Anthropic SDK does (text deltas appended, input JSON parsed at the block's stop). */
export function rebuildMessage(events: readonly Sse[]): RebuiltMessage {
  const out: RebuiltMessage = { id: '', content: [], stop_reason: null, usage: {}, error: null, stopped: false };
  const json = new Map<number, string>();
  for (const { event, data } of events) {
    const index = data.index as number;
    switch (event) {
      case 'message_start': {
        const message = data.message as { id: string; usage: Record<string, unknown> };
        out.id = message.id;
        out.usage = { ...message.usage };
        break;
      }
      case 'content_block_start': {
        const block = data.content_block as { type: string; text?: string; id?: string; name?: string };
        if (block.type === 'text') out.content[index] = { type: 'text', text: block.text ?? '' };
        else {
          out.content[index] = { type: 'tool_use', id: block.id!, name: block.name!, input: {} };
          json.set(index, '');
        }
        break;
      }
      case 'content_block_delta': {
        const delta = data.delta as { type: string; text?: string; partial_json?: string };
        const block = out.content[index]!;
        if (delta.type === 'text_delta' && block.type === 'text') block.text += delta.text;
        else if (delta.type === 'input_json_delta') json.set(index, json.get(index)! + delta.partial_json);
        else throw new Error(`unexpected delta ${delta.type} for a ${block.type} block`);
        break;
      }
      case 'content_block_stop': {
        const block = out.content[index]!;
        if (block.type === 'tool_use') block.input = JSON.parse(json.get(index) || '{}');
        break;
      }
      case 'message_delta':
        out.stop_reason = (data.delta as { stop_reason: string }).stop_reason;
        out.usage = { ...out.usage, ...(data.usage as Record<string, unknown>) };
        break;
      case 'message_stop':
        out.stopped = true;
        break;
      case 'error':
        out.error = data.error as { type: string; message: string };
        break;
      case 'ping':
        break;
      default:
        throw new Error(`unknown event ${event}`);
    }
  }
  return out;
}
