import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { ModelStubError } from './errors.js';

const NonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const NonNegativeInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be >= 0'));

const UsageSchema = v.strictObject({
  input_tokens: v.optional(NonNegativeInt),
  cached_tokens: v.optional(NonNegativeInt),
  output_tokens: v.optional(NonNegativeInt),
  reasoning_tokens: v.optional(NonNegativeInt),
});

const ItemSchema = v.variant('type', [
  v.strictObject({ type: v.literal('reasoning'), text: NonEmpty }),
  v.strictObject({
    type: v.literal('message'),
    text: NonEmpty,
    phase: v.optional(v.picklist(['commentary', 'final_answer'])),
  }),
  v.strictObject({
    type: v.literal('exec_command'),
    cmd: NonEmpty,
    workdir: v.optional(NonEmpty),
    login: v.optional(v.boolean()),
    yield_time_ms: v.optional(NonNegativeInt),
  }),
  v.strictObject({ type: v.literal('apply_patch'), patch: NonEmpty }),
]);

const ReplySchema = v.strictObject({
  kind: v.literal('reply'),
  items: v.pipe(v.array(ItemSchema), v.minLength(1, 'a reply needs at least one item')),
  usage: v.optional(UsageSchema),
  delay_ms: v.optional(NonNegativeInt),
});

const StepSchema = v.variant('kind', [
  ReplySchema,
  v.strictObject({
    kind: v.literal('http_error'),
    status: v.pipe(NonNegativeInt, v.minValue(400, 'must be an HTTP error status (400-599)'), v.maxValue(599, 'must be an HTTP error status (400-599)')),
    message: v.optional(NonEmpty),
    /** Fail only the first `times` requests of this step, then answer `then`. Absent: fail every time. */
    times: v.optional(NonNegativeInt),
    then: v.optional(v.strictObject({ items: v.pipe(v.array(ItemSchema), v.minLength(1)), usage: v.optional(UsageSchema) })),
  }),
  v.strictObject({
    kind: v.literal('failed'),
    code: v.optional(NonEmpty),
    message: NonEmpty,
  }),
  v.strictObject({ kind: v.literal('hang') }),
]);

const ScenarioSchema = v.strictObject({
  name: NonEmpty,
  description: v.optional(v.string()),
  model: v.optional(NonEmpty),
  vars: v.optional(v.record(v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]*$/, 'variable names are UPPER_SNAKE_CASE')), v.string())),
  steps: v.pipe(v.array(StepSchema), v.minLength(1, 'a scenario needs at least one step')),
});

/** One output item the stub sends as the model: reasoning, a message, a shell call or a patch. */
export type ScenarioItem = v.InferOutput<typeof ItemSchema>;
/** Token usage the stub reports for one model response. */
export type ScenarioUsage = v.InferOutput<typeof UsageSchema>;
/** One scripted model response, picked by the number of tool results in the request's `input`. */
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
  return {
    ok: false,
    issues: result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`),
  };
}

/**
 * Reads and validates a scenario JSON file. Throws {@link ModelStubError} (`scenario_not_found` or `invalid_scenario`)
 * with a one-line message naming the file.
 */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ModelStubError('scenario_not_found', `scenario file ${path} cannot be read; pass an existing JSON file.`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelStubError('invalid_scenario', `scenario file ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseScenario(json);
  if (!parsed.ok) {
    throw new ModelStubError('invalid_scenario', `scenario file ${path} is invalid: ${parsed.issues.join('; ')}`, { issues: parsed.issues });
  }
  return parsed.scenario;
}

/**
 * Replaces `{{NAME}}` in every string of the scenario's steps by `vars[NAME]` (falling back to the scenario's own
 * `vars`). An unknown name is left as is, so a missing variable shows up in the agent's command rather than vanishing.
 */
export function substituteScenarioVars(scenario: Scenario, vars: Record<string, string> = {}): Scenario {
  const values = { ...(scenario.vars ?? {}), ...vars };
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\{\{([A-Z][A-Z0-9_]*)\}\}/g, (token, name: string) => values[name] ?? token);
    if (Array.isArray(value)) return value.map(replace);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, inner]) => [k, replace(inner)]));
    }
    return value;
  };
  return { ...scenario, steps: replace(scenario.steps) as ScenarioStep[] };
}
