import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { LlmStubError } from './errors.js';

const NonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const NonNegativeInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be >= 0'));

const Regex = v.pipe(
  NonEmpty,
  v.check((source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression'),
);

const UsageSchema = v.strictObject({
  prompt_tokens: v.optional(NonNegativeInt),
  completion_tokens: v.optional(NonNegativeInt),
});

const ToolCallSchema = v.strictObject({
  name: NonEmpty,
  /** An object (sent as its JSON) or a raw string sent as is, which may be invalid JSON on purpose. */
  arguments: v.optional(v.union([v.string(), v.record(v.string(), v.unknown())], 'must be an object or a string'), {}),
});

const ToolCallsStepSchema = v.strictObject({
  kind: v.literal('tool_calls'),
  calls: v.pipe(v.array(ToolCallSchema), v.minLength(1, 'a tool_calls step needs at least one call')),
  usage: v.optional(UsageSchema),
});

const ReplyStepSchema = v.strictObject({
  kind: v.literal('reply'),
  content: NonEmpty,
  usage: v.optional(UsageSchema),
});

const StepSchema = v.variant('kind', [
  ToolCallsStepSchema,
  ReplyStepSchema,
  v.strictObject({
    kind: v.literal('obey_injection'),
    trigger: NonEmpty,
    call: NonEmpty,
    then: v.variant('kind', [ToolCallsStepSchema, ReplyStepSchema]),
    usage: v.optional(UsageSchema),
  }),
  v.strictObject({
    kind: v.literal('http_error'),
    status: v.pipe(NonNegativeInt, v.minValue(400, 'must be an HTTP error status (400-599)'), v.maxValue(599, 'must be an HTTP error status (400-599)')),
    message: v.optional(NonEmpty),
    /** Fail only the first `times` requests at this step, then answer the following step. Absent: fail every time. */
    times: v.optional(NonNegativeInt),
    /** Sent as `retry-after-ms`, which the openai SDK honours, so its retries do not wait the default backoff. */
    retry_after_ms: v.optional(NonNegativeInt),
  }),
  v.strictObject({ kind: v.literal('hang') }),
  v.strictObject({ kind: v.literal('garbage') }),
]);

const TurnSchema = v.strictObject({
  /** A case-insensitive regular expression on the last user message; absent matches anything. */
  match: v.optional(Regex),
  steps: v.pipe(v.array(StepSchema), v.minLength(1, 'a turn needs at least one step')),
});

const ScenarioSchema = v.strictObject({
  name: NonEmpty,
  description: v.optional(v.string()),
  model: v.optional(NonEmpty, 'stub-manager'),
  vars: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/, 'variable names are UPPER_SNAKE_CASE')), v.string())),
  turns: v.pipe(v.array(TurnSchema), v.minLength(1, 'a scenario needs at least one turn')),
});

/** Token usage the stub reports for one completion (defaults: 100 prompt, 20 completion). */
export type LlmScenarioUsage = v.InferOutput<typeof UsageSchema>;
/** One scripted tool call: a function name and its arguments (an object, or a raw string that may be invalid JSON). */
export type LlmScenarioToolCall = v.InferOutput<typeof ToolCallSchema>;
/** A step that answers with tool calls. */
export type LlmToolCallsStep = v.InferOutput<typeof ToolCallsStepSchema>;
/** A step that answers with a final assistant message. */
export type LlmReplyStep = v.InferOutput<typeof ReplyStepSchema>;
/** One scripted answer, picked by the number of assistant messages after the last user message. */
export type LlmScenarioStep = v.InferOutput<typeof StepSchema>;
/** A conversation script chosen by a regular expression on the last user message. */
export type LlmScenarioTurn = v.InferOutput<typeof TurnSchema>;
/** A scripted manager LLM: turns of steps. */
export type LlmScenario = v.InferOutput<typeof ScenarioSchema>;
/** The input shape of a scenario (before defaults), for scenarios written inline in tests. */
export type LlmScenarioInput = v.InferInput<typeof ScenarioSchema>;

/** The result of {@link parseLlmScenario}: the scenario, or every validation issue as `path.to.field: message`. */
export type ParseLlmScenarioResult = { ok: true; scenario: LlmScenario } | { ok: false; issues: string[] };

/**
 * Validates a scenario object (parsed JSON). Never throws.
 * @example parseLlmScenario(JSON.parse(text))
 */
export function parseLlmScenario(input: unknown): ParseLlmScenarioResult {
  const result = v.safeParse(ScenarioSchema, input);
  if (result.success) return { ok: true, scenario: result.output };
  return { ok: false, issues: result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`) };
}

/**
 * Reads and validates a scenario JSON file. Throws {@link LlmStubError} (`scenario_not_found` or `invalid_scenario`)
 * with a one-line message naming the file and the bad fields.
 */
export function loadLlmScenario(path: string): LlmScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new LlmStubError('scenario_not_found', `scenario file ${path} cannot be read; pass an existing JSON file.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LlmStubError('invalid_scenario', `scenario file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseLlmScenario(json);
  if (!parsed.ok) {
    throw new LlmStubError('invalid_scenario', `scenario file ${path} is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  }
  return parsed.scenario;
}

/**
 * Replaces `{{NAME}}` (UPPER_SNAKE_CASE) in every string of the scenario's turns, tool-call arguments included, by
 * `vars[NAME]`, falling back to the scenario's own `vars`. An unknown name is left as is, so a missing variable shows
 * up in the model's answer rather than vanishing. The lower-case `{{tool_results}}` and `{{last_user}}` are left for
 * answer time.
 */
export function substituteLlmScenarioVars(scenario: LlmScenario, vars: Record<string, string> = {}): LlmScenario {
  const values = { ...(scenario.vars ?? {}), ...vars };
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (token, name: string) => values[name] ?? token);
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replace(inner)]));
    }
    return value;
  };
  return { ...scenario, turns: replace(scenario.turns) as LlmScenarioTurn[] };
}
