/**
 * The port to the manager LLM: one chat-completion request with tools. The adapter over the official `openai` SDK
 * lives in `openai-chat-model.ts`; tests use the OpenAI-compatible stub in tools/llm-stub through that same adapter.
 */

/** A tool call the model asked for. `arguments` is the model's raw JSON text: hostile until validated. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One message of the conversation sent to the model. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: readonly ToolCall[] | undefined }
  | { role: 'tool'; toolCallId: string; content: string };

/** A tool as the model sees it; `parameters` is generated from the tool's valibot schema. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** Tokens a request used, as the endpoint reported them (0 when it reported none). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** The model's answer to one request. */
export interface ChatCompletion {
  content: string | null;
  toolCalls: readonly ToolCall[];
  usage: TokenUsage;
  /** The model that answered, as the endpoint named it. */
  model: string;
  /** `stop`, `tool_calls`, `length`, … as the endpoint reported it. */
  finishReason: string;
}

/** What a request asks of the model. */
export interface ChatRequest {
  messages: readonly ChatMessage[];
  tools: readonly ToolDefinition[];
  /** Cap on the answer's tokens. */
  maxOutputTokens?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The manager LLM. */
export interface ChatModel {
  /** The configured model name. */
  readonly model: string;
  /** Where requests go, for messages: scheme, host, port and path only (never a key or a query). */
  readonly endpoint: string;
  complete(request: ChatRequest): Promise<ChatCompletion>;
}

/** Why the model could not answer. */
export type ChatModelErrorCode = 'unreachable' | 'timeout' | 'auth' | 'rate_limited' | 'bad_request' | 'server_error' | 'bad_response' | 'aborted';

/** A failed model request; `message` is one line naming the endpoint (never the key) and what to do. */
export class ChatModelError extends Error {
  readonly code: ChatModelErrorCode;

  constructor(code: ChatModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChatModelError';
    this.code = code;
  }
}
