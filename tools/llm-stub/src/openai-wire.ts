import type { PlannedAnswer } from './plan-answer.js';

/** An OpenAI-shaped error body: `{ error: { message, type, code } }`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string | null; param: null };
}

/**
 * The OpenAI error body for an HTTP status: 401 `invalid_api_key`, 429 `rate_limit_exceeded`, 5xx `server_error`,
 * other 4xx `invalid_request_error`.
 */
export function openAiError(status: number, message: string): OpenAiErrorBody {
  if (status === 401) return { error: { message, type: 'invalid_request_error', code: 'invalid_api_key', param: null } };
  if (status === 404) return { error: { message, type: 'invalid_request_error', code: 'not_found', param: null } };
  if (status === 429) return { error: { message, type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } };
  if (status >= 500) return { error: { message, type: 'server_error', code: null, param: null } };
  return { error: { message, type: 'invalid_request_error', code: null, param: null } };
}

/**
 * The `chat.completion` body for a planned message: `finish_reason` is `tool_calls` when the model calls tools
 * (content null), else `stop`.
 * @example chatCompletion(answer, { id: 'chatcmpl-stub-1', model: 'stub-manager', created: 1700000000 })
 */
export function chatCompletion(
  answer: Extract<PlannedAnswer, { kind: 'message' }>,
  meta: { id: string; model: string; created: number },
): Record<string, unknown> {
  const calling = answer.toolCalls.length > 0;
  const toolCalls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        finish_reason: calling ? 'tool_calls' : 'stop',
        logprobs: null,
        message: { role: 'assistant', content: answer.content, refusal: null, ...(calling ? { tool_calls: toolCalls } : {}) },
      },
    ],
    usage: {
      prompt_tokens: answer.usage.prompt_tokens,
      completion_tokens: answer.usage.completion_tokens,
      total_tokens: answer.usage.prompt_tokens + answer.usage.completion_tokens,
    },
  };
}
