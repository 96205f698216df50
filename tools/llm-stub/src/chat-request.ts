import * as v from 'valibot';

const ContentSchema = v.nullish(v.union([v.string(), v.array(v.looseObject({ type: v.string(), text: v.optional(v.string()) }))]));

const MessageSchema = v.looseObject({
  role: v.picklist(['system', 'developer', 'user', 'assistant', 'tool', 'function'], 'must be system, developer, user, assistant or tool'),
  content: v.optional(ContentSchema),
  tool_calls: v.optional(v.array(v.unknown())),
  tool_call_id: v.optional(v.string()),
});

const ToolSchema = v.looseObject({
  type: v.string(),
  function: v.optional(v.looseObject({ name: v.string() })),
});

const ChatRequestSchema = v.looseObject({
  model: v.optional(v.string()),
  messages: v.pipe(v.array(MessageSchema), v.minLength(1, 'must hold at least one message')),
  tools: v.optional(v.array(ToolSchema)),
  stream: v.optional(v.nullable(v.boolean())),
  max_completion_tokens: v.optional(v.nullable(v.number())),
  max_tokens: v.optional(v.nullable(v.number())),
});

/** One chat message as the client sent it (only the fields the stub reads are typed). */
export type ChatMessage = v.InferOutput<typeof MessageSchema>;
/** A validated Chat Completions request body. */
export type ChatRequest = v.InferOutput<typeof ChatRequestSchema>;

/** The result of {@link parseChatRequest}: the request, or a one-line `path: message` of the first issue. */
export type ParseChatRequestResult = { ok: true; request: ChatRequest } | { ok: false; message: string };

/** Validates a Chat Completions request body. Never throws. */
export function parseChatRequest(body: unknown): ParseChatRequestResult {
  const result = v.safeParse(ChatRequestSchema, body);
  if (result.success) return { ok: true, request: result.output };
  const issue = result.issues[0];
  return { ok: false, message: `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}` };
}

/** What the stub reads from a conversation to pick and fill its answer. */
export interface Conversation {
  /** The text of the last user message ('' when there is none). */
  lastUser: string;
  /** The number of assistant messages after the last user message: the step to answer. */
  stepIndex: number;
  /** The text of every tool message after the last user message, in order. */
  toolResults: string[];
}

/**
 * Reads the last user message, the step index and the tool results from a conversation. The stub is stateless: a
 * retried request (same messages) reads the same conversation and so gets the same answer.
 */
export function readConversation(messages: readonly ChatMessage[]): Conversation {
  let lastUserIndex = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user') lastUserIndex = index;
  });
  const since = messages.slice(lastUserIndex + 1);
  return {
    lastUser: lastUserIndex < 0 ? '' : textOf(messages[lastUserIndex]!),
    stepIndex: since.filter((message) => message.role === 'assistant').length,
    toolResults: since.filter((message) => message.role === 'tool').map(textOf),
  };
}

/** The names of the function tools a request offered. */
export function offeredToolNames(request: ChatRequest): string[] {
  return (request.tools ?? []).flatMap((tool) => (tool.function ? [tool.function.name] : []));
}

function textOf(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => part.text ?? '').join('');
}
