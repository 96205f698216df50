import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { AnthropicStubError } from './errors.js';

const NonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const NonNegativeInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be >= 0'));

const UsageSchema = v.strictObject({
  input_tokens: v.optional(NonNegativeInt),
  output_tokens: v.optional(NonNegativeInt),
  cache_creation_input_tokens: v.optional(NonNegativeInt),
  cache_read_input_tokens: v.optional(NonNegativeInt),
});

const BlockSchema = v.variant('type', [
  v.strictObject({ type: v.literal('text'), text: NonEmpty }),
  v.strictObject({
    type: v.literal('tool_use'),
    /** One of Claude Code's own tools (Bash, Read, Write, Edit, …); the stub checks the request offers it. */
    name: NonEmpty,
    input: v.record(v.string(), v.unknown()),
  }),
]);

const ContentSchema = v.pipe(v.array(BlockSchema), v.minLength(1, 'a reply needs at least one content block'));
const ReplyBody = { content: ContentSchema, usage: v.optional(UsageSchema) };
const StatusSchema = v.pipe(NonNegativeInt, v.minValue(400, 'must be an HTTP error status (400-599)'), v.maxValue(599, 'must be an HTTP error status (400-599)'));

const StepSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('reply'),
    ...ReplyBody,
    stop_reason: v.optional(v.picklist(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence'])),
    delay_ms: v.optional(NonNegativeInt),
  }),
  v.strictObject({
    kind: v.literal('http_error'),
    status: StatusSchema,
    /** Anthropic's `error.type` (`overloaded_error`, `api_error`, `rate_limit_error`, …); derived from the status when absent. */
    error_type: v.optional(NonEmpty),
    message: v.optional(NonEmpty),
    /** Fail only the first `times` requests of this step, then answer `then`. Absent: fail every time. */
    times: v.optional(NonNegativeInt),
    then: v.optional(v.strictObject(ReplyBody)),
  }),
  v.strictObject({
    kind: v.literal('stream_error'),
    /** Blocks streamed before the SSE `error` event (the model "started" answering). */
    content: v.optional(v.array(BlockSchema)),
    error_type: v.optional(NonEmpty),
    message: v.optional(NonEmpty),
    times: v.optional(NonNegativeInt),
    then: v.optional(v.strictObject(ReplyBody)),
  }),
  v.strictObject({
    kind: v.literal('hang'),
    /** Send an SSE `ping` this often while hanging (absent: stay silent after `message_start`). */
    ping_interval_ms: v.optional(v.pipe(NonNegativeInt, v.minValue(10, 'must be >= 10'))),
  }),
]);

const ScenarioSchema = v.strictObject({
  name: NonEmpty,
  description: v.optional(v.string()),
  /** The model the scenario is written for (informational; the stub answers with the model the request names). */
  model: v.optional(NonEmpty),
  vars: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/, 'variable names are UPPER_SNAKE_CASE')), v.string())),
  steps: v.pipe(v.array(StepSchema), v.minLength(1, 'a scenario needs at least one step')),
});

/** One content block the stub sends as the model: text, or a call of one of Claude Code's tools. */
export type ScenarioBlock = v.InferOutput<typeof BlockSchema>;
/** Token usage the stub reports for one model response. */
export type ScenarioUsage = v.InferOutput<typeof UsageSchema>;
/** One scripted model response, picked by the number of assistant turns in the request's `messages`. */
export type ScenarioStep = v.InferOutput<typeof StepSchema>;
/** A scripted conversation: what the model answers at each step. */
export type Scenario = v.InferOutput<typeof ScenarioSchema>;

/** The result of {@link parseScenario}: the scenario, or every validation issue as `path.to.field: message`. */
export type ParseScenarioResult = { ok: true; scenario: Scenario } | { ok: false; issues: string[] };

/**
 * Validates a scenario object (parsed JSON). Never throws.
 * @example parseScenario(JSON.parse(text))
 */
export function parseScenario(input: unknown): ParseScenarioResult {
  const result = v.safeParse(ScenarioSchema, input);
  if (result.success) return { ok: true, scenario: result.output };
  return { ok: false, issues: result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`) };
}

/**
 * Reads and validates a scenario JSON file. Throws {@link AnthropicStubError} (`scenario_not_found` or `invalid_scenario`)
 * with a one-line message naming the file.
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AnthropicStubError('scenario_not_found', `scenario file ${path} cannot be read; pass an existing JSON file.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AnthropicStubError('invalid_scenario', `scenario file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseScenario(json);
  if (!parsed.ok) {
    throw new AnthropicStubError('invalid_scenario', `scenario file ${path} is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  }
  return parsed.scenario;
}

/**
 * Replaces `{{NAME}}` in every string of a value by `values[NAME]`. An unknown name is left as is, so a missing
 * variable shows up in the agent's command rather than vanishing (and `{{CWD}}` survives until a request supplies it).
 */
export function substituteVars<T>(value: T, values: Readonly<Record<string, string>>): T {
  const replace = (inner: unknown): unknown => {
    if (typeof inner === 'string') return inner.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (token, name: string) => values[name] ?? token);
    if (Array.isArray(inner)) return inner.map(replace);
    if (inner !== null && typeof inner === 'object') return Object.fromEntries(Object.entries(inner).map(([k, item]) => [k, replace(item)]));
    return inner;
  };
  return replace(value) as T;
}

/** Fills the scenario's steps from `vars` over the scenario's own `vars`. */
export function substituteScenarioVars(scenario: Scenario, vars: Record<string, string> = {}): Scenario {
  return { ...scenario, steps: substituteVars(scenario.steps, { ...(scenario.vars ?? {}), ...vars }) };
}
