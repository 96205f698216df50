import * as v from 'valibot';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { ToolDefinition } from './chat-model.js';
import type { AssistantTool } from './tool.js';

/** Longest argument text the model may send for one call; a tool's arguments are a few ids and filters. */
export const MAX_TOOL_ARGUMENTS_BYTES = 8 * 1024;

/** The JSON Schema of a tool's valibot arguments, as the model sees it: input types, closed objects, no `$schema`. */
export function toolParameters(tool: AssistantTool): Record<string, unknown> {
  // `ignore`: a check or transform has no JSON Schema form; valibot still enforces it when the call arrives.
  const schema = toJsonSchema(tool.args, { typeMode: 'input', errorMode: 'ignore' }) as Record<string, unknown>;
  const { $schema: _dropped, ...rest } = schema;
  return rest.type === 'object' ? { ...rest, additionalProperties: false } : rest;
}

/**
 * The definitions sent to the model, generated from the same valibot schemas that validate the calls.
 *
 * @example
 * await model.complete({ messages, tools: toolDefinitions(offered) });
 */
export function toolDefinitions(tools: readonly AssistantTool[]): ToolDefinition[] {
  return tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: toolParameters(tool) }));
}

/** The validated arguments of one call, or one line saying what is wrong with them. */
export type ParsedToolArguments = { ok: true; args: unknown } | { ok: false; error: string };

function issuePath(issue: v.BaseIssue<unknown>): string {
  const keys = (issue.path ?? []).map((item) => String(item.key));
  return keys.length ? `${keys.join('.')}: ` : '';
}

/**
 * Validates the model's raw argument text for `tool`: at most {@link MAX_TOOL_ARGUMENTS_BYTES}, JSON, then the
 * tool's valibot schema. An empty text is `{}` (some servers send nothing for a call without arguments).
 */
export function parseToolArguments(tool: AssistantTool, raw: string): ParsedToolArguments {
  if (Buffer.byteLength(raw, 'utf8') > MAX_TOOL_ARGUMENTS_BYTES) {
    return { ok: false, error: `arguments of ${tool.name} are longer than ${MAX_TOOL_ARGUMENTS_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    return { ok: false, error: `arguments of ${tool.name} are not valid JSON` };
  }
  const parsed = v.safeParse(tool.args, value);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    return { ok: false, error: `invalid arguments for ${tool.name}: ${issuePath(issue)}${oneLine(issue.message)}` };
  }
  return { ok: true, args: parsed.output };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
