import * as v from 'valibot';

const NonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const Block = v.looseObject({ type: NonEmpty });

const MessagesRequestSchema = v.looseObject({
  model: NonEmpty,
  max_tokens: v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be >= 1')),
  messages: v.pipe(
    // Claude Code 2.1.332 with its default model sends its environment note as a `system` message inside `messages`.
    v.array(v.looseObject({ role: v.picklist(['user', 'assistant', 'system'], 'must be "user", "assistant" or "system"'), content: v.union([v.string(), v.array(Block)], 'must be a string or an array of content blocks') })),
    v.minLength(1, 'must hold at least one message'),
  ),
  system: v.optional(v.union([v.string(), v.array(Block)], 'must be a string or an array of text blocks')),
  tools: v.optional(v.array(v.looseObject({ name: NonEmpty }))),
  stream: v.optional(v.boolean()),
});

/** The part of an Anthropic Messages request body the stub reads (other fields pass through untouched). */
export type MessagesRequest = v.InferOutput<typeof MessagesRequestSchema>;

/** A tool result the client sent back: what Claude Code's tool printed, for test assertions. */
export interface ToolResultRecord {
  tool_use_id: string;
  is_error: boolean;
  /** The result's text (text parts joined by newlines). */
  text: string;
}

/** The result of {@link parseMessagesRequest}: the request, or every issue as `path.to.field: message`. */
export type ParseMessagesRequestResult = { ok: true; request: MessagesRequest } | { ok: false; issues: string[] };

/** Validates a `POST /v1/messages` body the way the real API rejects it: model, max_tokens, messages (and tools' names). */
export function parseMessagesRequest(body: unknown): ParseMessagesRequestResult {
  const result = v.safeParse(MessagesRequestSchema, body);
  if (result.success) return { ok: true, request: result.output };
  return { ok: false, issues: result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`) };
}

/**
 * The scenario step a request asks for: the number of assistant turns in `messages`. The stub keeps no session, so a
 * retried request (same history) gets the same step, and a turn with several tool calls still counts once.
 */
export function stepIndexOf(request: MessagesRequest): number {
  return request.messages.filter((message) => message.role === 'assistant').length;
}

/** The names of the tools the request offers. */
export function offeredToolNames(request: MessagesRequest): string[] {
  return (request.tools ?? []).map((tool) => tool.name);
}

/** The tool results in the request's last user message (what the client ran since the previous step). */
export function lastToolResults(request: MessagesRequest): ToolResultRecord[] {
  const last = request.messages.at(-1);
  if (!last || last.role !== 'user' || typeof last.content === 'string') return [];
  const out: ToolResultRecord[] = [];
  for (const block of last.content) {
    if (block.type !== 'tool_result') continue;
    const b = block as { tool_use_id?: unknown; is_error?: unknown; content?: unknown };
    out.push({ tool_use_id: typeof b.tool_use_id === 'string' ? b.tool_use_id : '', is_error: b.is_error === true, text: textOf(b.content) });
  }
  return out;
}

/**
 * The client's working directory, read from Claude Code's environment note ("Primary working directory: /path") in the
 * system prompt, the first user message or a `system` message (where 2.1.332 puts it for its default model);
 * undefined when the request does not say. It fills the `{{CWD}}` variable.
 */
export function workingDirectoryOf(request: MessagesRequest): string | undefined {
  const systemMessages = request.messages.filter((message) => message.role === 'system').map((message) => textOf(message.content));
  const texts = [textOf(request.system), textOf(request.messages[0]?.content), ...systemMessages];
  for (const text of texts) {
    const match = /Primary working directory: ([^\n]+)/.exec(text);
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part !== null && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .filter(Boolean)
    .join('\n');
}
