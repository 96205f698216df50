import type { Conversation } from './chat-request.js';
import type { LlmReplyStep, LlmScenario, LlmScenarioStep, LlmScenarioUsage, LlmToolCallsStep } from './scenario.js';

/** What the stub does with one chat request; recorded on every request. */
export type LlmStubOutcome =
  | 'tool_calls'
  | 'reply'
  | 'injection_obeyed'
  | 'exhausted'
  | 'no_turn'
  | 'http_error'
  | 'hang'
  | 'garbage'
  | 'models'
  | 'not_found'
  | 'unauthorized'
  | 'bad_request';

/** One tool call the stub sends as the model, arguments already a JSON (or deliberately broken) string. */
export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The answer to one chat request, before it is written to the wire. */
export type PlannedAnswer =
  | {
    kind: 'message';
    outcome: 'tool_calls' | 'reply' | 'injection_obeyed' | 'exhausted' | 'no_turn';
    content: string | null;
    toolCalls: PlannedToolCall[];
    usage: { prompt_tokens: number; completion_tokens: number };
  }
  | { kind: 'http_error'; status: number; message: string; retryAfterMs: number | undefined }
  | { kind: 'hang' }
  | { kind: 'garbage' };

/** {@link planAnswer}'s result: the answer and where in the scenario it came from. */
export interface Plan {
  /** The index of the matching turn, or null when no turn matches the last user message. */
  turn: number | null;
  /** The step answered: the number of assistant messages after the last user message. */
  step: number;
  answer: PlannedAnswer;
}

/** The text of a final reply past the end of a turn whose last step is not a reply. */
export const EXHAUSTED_REPLY = '(scenario exhausted)';

const DEFAULT_USAGE = { prompt_tokens: 100, completion_tokens: 20 };
const RUN_ID = /\brun_[A-Za-z0-9._-]{3,}\b/g;

type AnswerStep = Exclude<LlmScenarioStep, { kind: 'http_error' }>;
type ErrorStep = Extract<LlmScenarioStep, { kind: 'http_error' }>;

/** A position in a turn: the step answering it, and the http_error steps before it that must fail first. */
interface Position {
  gates: { index: number; step: ErrorStep }[];
  step: AnswerStep | undefined;
}

/**
 * Picks the answer to a chat request. The first turn whose `match` finds the last user message is played; the step is
 * the number of assistant messages after that user message. `http_error` steps are gates in front of the step that
 * follows them: a gate fails its first `times` requests (counted in `gateCounts`, keyed by turn and step, the only
 * state), then the following step answers. Past the last step the last reply repeats, or the model says
 * {@link EXHAUSTED_REPLY}.
 */
export function planAnswer(scenario: LlmScenario, conversation: Conversation, gateCounts: Map<string, number>): Plan {
  const step = conversation.stepIndex;
  const turn = scenario.turns.findIndex((candidate) => candidate.match === undefined || new RegExp(candidate.match, 'i').test(conversation.lastUser));
  if (turn < 0) {
    const content = `(no scenario turn matches the last user message in scenario ${scenario.name})`;
    return { turn: null, step, answer: message('no_turn', content, [], undefined) };
  }
  const positions = positionsOf(scenario.turns[turn]!.steps);
  const position = positions[step];
  if (!position) return { turn, step, answer: pastTheEnd(positions, conversation) };
  for (const gate of position.gates) {
    const key = `${turn}:${gate.index}`;
    const seen = gateCounts.get(key) ?? 0;
    if (gate.step.times !== undefined && seen >= gate.step.times) continue;
    gateCounts.set(key, seen + 1);
    const text = gate.step.message ?? `llm-stub: injected HTTP ${gate.step.status}`;
    return { turn, step, answer: { kind: 'http_error', status: gate.step.status, message: text, retryAfterMs: gate.step.retry_after_ms } };
  }
  if (!position.step) return { turn, step, answer: message('exhausted', EXHAUSTED_REPLY, [], undefined) };
  return { turn, step, answer: answerStep(position.step, conversation, `${turn}_${step}`) };
}

function positionsOf(steps: readonly LlmScenarioStep[]): Position[] {
  const positions: Position[] = [];
  let gates: Position['gates'] = [];
  steps.forEach((step, index) => {
    if (step.kind === 'http_error') {
      gates.push({ index, step });
      return;
    }
    positions.push({ gates, step });
    gates = [];
  });
  if (gates.length > 0) positions.push({ gates, step: undefined });
  return positions;
}

function pastTheEnd(positions: readonly Position[], conversation: Conversation): PlannedAnswer {
  const last = positions.at(-1)?.step;
  if (last?.kind === 'reply') return answerStep(last, conversation, 'again');
  return message('exhausted', EXHAUSTED_REPLY, [], undefined);
}

function answerStep(step: AnswerStep, conversation: Conversation, idPrefix: string): PlannedAnswer {
  switch (step.kind) {
    case 'reply':
      return reply(step, conversation);
    case 'tool_calls':
      return toolCalls(step, idPrefix);
    case 'obey_injection': {
      const trigger = step.trigger.toLowerCase();
      const runIds = injectedRunIds(conversation.toolResults, trigger);
      if (runIds.length === 0) return step.then.kind === 'reply' ? reply(step.then, conversation) : toolCalls(step.then, idPrefix);
      const calls = runIds.map((runId, index) => ({ id: `call_${idPrefix}_${index}`, name: step.call, arguments: JSON.stringify({ run_id: runId }) }));
      return message('injection_obeyed', null, calls, step.usage);
    }
    case 'hang':
      return { kind: 'hang' };
    case 'garbage':
      return { kind: 'garbage' };
    default: {
      const never: never = step;
      throw new Error(`unknown step ${JSON.stringify(never)}`);
    }
  }
}

/** Every distinct run id in the tool results, when one of them carries the trigger; else none. */
function injectedRunIds(toolResults: readonly string[], trigger: string): string[] {
  if (!toolResults.some((text) => text.toLowerCase().includes(trigger))) return [];
  return [...new Set(toolResults.flatMap((text) => text.match(RUN_ID) ?? []))];
}

function reply(step: LlmReplyStep, conversation: Conversation): PlannedAnswer {
  const content = step.content.replace(/\{\{(tool_results|last_user)\}\}/g, (_token, name: string) =>
    name === 'tool_results' ? conversation.toolResults.join('\n') : conversation.lastUser,
  );
  return message('reply', content, [], step.usage);
}

function toolCalls(step: LlmToolCallsStep, idPrefix: string): PlannedAnswer {
  const calls = step.calls.map((call, index) => ({
    id: `call_${idPrefix}_${index}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
  return message('tool_calls', null, calls, step.usage);
}

function message(
  outcome: Extract<PlannedAnswer, { kind: 'message' }>['outcome'],
  content: string | null,
  calls: PlannedToolCall[],
  usage: LlmScenarioUsage | undefined,
): PlannedAnswer {
  return { kind: 'message', outcome, content, toolCalls: calls, usage: { ...DEFAULT_USAGE, ...stripUndefined(usage) } };
}

function stripUndefined(usage: LlmScenarioUsage | undefined): Partial<typeof DEFAULT_USAGE> {
  return Object.fromEntries(Object.entries(usage ?? {}).filter(([, value]) => value !== undefined));
}
