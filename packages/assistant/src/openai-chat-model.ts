import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { isLoopbackUrl } from '@agentpr/policy';
import { ChatModelError, type ChatMessage, type ChatModel, type ChatRequest, type ToolDefinition } from './chat-model.js';
import { endpointOf, type LlmConfig } from './llm-config.js';
import { chatModelErrorFrom } from './chat-model-errors.js';
import { parseCompletion } from './parse-completion.js';

/** The SDK insists on a key; keyless local servers (vLLM, Ollama, the stub) get this placeholder. */
const KEYLESS_PLACEHOLDER = 'unused';

function clientFor(config: LlmConfig): OpenAI {
  const keyless = isLoopbackUrl(config.baseUrl) || config.provider === 'openai-compatible';
  const apiKey = config.apiKey ?? (keyless ? KEYLESS_PLACEHOLDER : undefined);
  if (apiKey === undefined) {
    throw new ChatModelError('auth', `AGENTPR_LLM_API_KEY is not set; the manager LLM at ${endpointOf(config.baseUrl)} needs a key.`);
  }
  // Every option the SDK would otherwise read from process.env is given, so nothing below the app reads it.
  const common = {
    apiKey,
    timeout: config.timeoutMs,
    maxRetries: 1,
    logLevel: 'off' as const,
    organization: null,
    project: null,
    webhookSecret: null,
  };
  if (config.provider === 'azure') {
    const path = new URL(config.baseUrl).pathname.replace(/\/+$/, '');
    // A bare resource URL is the `endpoint` (the SDK adds /openai); a URL with a path is the base URL as given.
    const where = path === '' ? { endpoint: config.baseUrl, baseURL: null } : { baseURL: config.baseUrl };
    return new AzureOpenAI({ ...common, ...where, apiVersion: config.azureApiVersion, deployment: config.model });
  }
  return new OpenAI({ ...common, adminAPIKey: null, baseURL: config.baseUrl });
}

function toSdkMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      return {
        role: 'assistant',
        content: message.content,
        ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    default: {
      const never: never = message;
      throw new Error(`unknown message ${String(never)}`);
    }
  }
}

function toSdkTool(tool: ToolDefinition): ChatCompletionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

/** The request body; `max_tokens` for OpenAI-compatible servers (vLLM, Ollama), `max_completion_tokens` otherwise. */
function requestBody(config: LlmConfig, request: ChatRequest): ChatCompletionCreateParamsNonStreaming {
  const cap = request.maxOutputTokens;
  const capField = cap === undefined ? {} : config.provider === 'openai-compatible' ? { max_tokens: cap } : { max_completion_tokens: cap };
  return {
    model: config.model,
    messages: request.messages.map(toSdkMessage),
    ...(request.tools.length ? { tools: request.tools.map(toSdkTool), tool_choice: 'auto' as const } : {}),
    ...capField,
    stream: false,
  };
}

/**
 * The manager LLM over the official `openai` SDK: Chat Completions with function tools, non-streaming, one retry,
 * `AzureOpenAI` for `provider: 'azure'` (the model is the deployment). Every failure is a {@link ChatModelError}
 * whose one-line message names the endpoint (never the key) and what to check.
 *
 * @example
 * const model = createOpenAiChatModel(config);
 * const answer = await model.complete({ messages, tools: toolDefinitions(tools), maxOutputTokens: 1000 });
 */
export function createOpenAiChatModel(config: LlmConfig): ChatModel {
  const endpoint = endpointOf(config.baseUrl);
  let client: OpenAI | undefined;
  return {
    model: config.model,
    endpoint,
    async complete(request) {
      client ??= clientFor(config);
      let raw: unknown;
      try {
        raw = await client.chat.completions.create(requestBody(config, request), request.signal ? { signal: request.signal } : {});
      } catch (error) {
        throw chatModelErrorFrom(error, { endpoint, model: config.model, timeoutMs: config.timeoutMs });
      }
      return parseCompletion(raw, endpoint, config.model);
    },
  };
}
