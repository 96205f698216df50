import * as v from 'valibot';
import { ChatModelError, type ChatCompletion, type ToolCall } from './chat-model.js';
import { badResponseMessage } from './chat-model-errors.js';

const TokenCount = v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))));

const FunctionCallSchema = v.object({
  id: v.string(),
  type: v.optional(v.string()),
  function: v.object({ name: v.string(), arguments: v.optional(v.nullable(v.string())) }),
});

/** The part of a Chat Completions answer agentpr reads; the rest is ignored. */
const CompletionSchema = v.object({
  model: v.optional(v.nullable(v.string())),
  choices: v.array(
    v.object({
      finish_reason: v.optional(v.nullable(v.string())),
      message: v.object({
        content: v.optional(v.nullable(v.string())),
        tool_calls: v.optional(v.nullable(v.array(v.looseObject({ id: v.string(), type: v.optional(v.string()) })))),
      }),
    }),
  ),
  usage: v.optional(v.nullable(v.object({ prompt_tokens: TokenCount, completion_tokens: TokenCount }))),
});

function toolCalls(raw: readonly unknown[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const item of raw) {
    const parsed = v.safeParse(FunctionCallSchema, item);
    // A call of another type (custom tools) has no function; it is not one of ours, so it is named as unknown.
    if (!parsed.success) {
      const id = (item as { id: string }).id;
      calls.push({ id, name: '(not a function call)', arguments: '{}' });
      continue;
    }
    calls.push({ id: parsed.output.id, name: parsed.output.function.name, arguments: parsed.output.function.arguments ?? '' });
  }
  return calls;
}

/**
 * Reads the SDK's answer (hostile until checked: a misbehaving server may send anything) into a
 * {@link ChatCompletion}; throws `ChatModelError('bad_response')` when it is not a chat completion.
 */
export function parseCompletion(raw: unknown, endpoint: string, model: string): ChatCompletion {
  const parsed = v.safeParse(CompletionSchema, raw);
  const choice = parsed.success ? parsed.output.choices[0] : undefined;
  if (!parsed.success || !choice) {
    throw new ChatModelError('bad_response', badResponseMessage(endpoint));
  }
  const answer = parsed.output;
  return {
    content: choice.message.content ?? null,
    toolCalls: toolCalls(choice.message.tool_calls ?? []),
    usage: { inputTokens: answer.usage?.prompt_tokens ?? 0, outputTokens: answer.usage?.completion_tokens ?? 0 },
    model: answer.model ?? model,
    finishReason: choice.finish_reason ?? 'stop',
  };
}
