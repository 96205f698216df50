import { randomBytes } from 'node:crypto';
import { assistantTokensSince, iso, recordAssistantRequest, settleAssistantAction } from '@agentpr/store';
import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import type { AskRequest, AskResult, AskUsage, AssistantDeps, PendingAction } from './ask-types.js';
import { ChatModelError, type ChatMessage, type ToolCall } from './chat-model.js';
import { budgetLine, composeReply, pendingLine, type BudgetName } from './ask-reply.js';
import { approvePointer, systemPrompt } from './system-prompt.js';
import { cut, tierAllows } from './text.js';
import { handleToolCall, type LoopScope } from './tool-call.js';
import { toolDefinitions } from './tool-definitions.js';
import type { AssistantTool } from './tool.js';

/** Earlier turns of a session handed to the model with a question. */
export const MAX_HISTORY_TURNS = 6;
const QUESTION_AUDIT_CHARS = 2_000;
const ARGUMENTS_AUDIT_CHARS = 500;
const REPLY_AUDIT_CHARS = 4_000;
const HISTORY_TEXT_CHARS = 4_000;

/** The tools a requester is offered: tier allowing, and `drive_run` only when the app can drive a tick. */
export function offeredTools(deps: Pick<AssistantDeps, 'tools' | 'runtime'>, tier: AskRequest['requester']['tier']): AssistantTool[] {
  return deps.tools.filter((tool) => tierAllows(tier, tool.tier) && (tool.name !== 'drive_run' || deps.runtime.tickRun !== undefined));
}

function utcMidnight(now: Date): string {
  return iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
}

/** The conversation the model starts from: instructions, the last turns, the question (all redacted). */
function openingMessages(ctx: AppContext, request: AskRequest, now: Date): ChatMessage[] {
  const { redact } = redactorFor(ctx);
  const history = (request.history ?? []).slice(-MAX_HISTORY_TURNS).flatMap((turn): ChatMessage[] => [
    { role: 'user', content: cut(redact(turn.question), HISTORY_TEXT_CHARS) },
    { role: 'assistant', content: cut(redact(turn.reply), HISTORY_TEXT_CHARS) },
  ]);
  return [
    { role: 'system', content: systemPrompt({ channel: request.requester.channel, tier: request.requester.tier, now: iso(now) }) },
    ...history,
    { role: 'user', content: redact(request.question) },
  ];
}

/** The state of one request's loop. */
interface LoopState {
  usage: AskUsage;
  content: string[];
  pending: PendingAction[];
  approveAsked: boolean;
  model: string;
}

type LoopEnd = { kind: 'answered' } | { kind: 'budget_exhausted'; budget: BudgetName } | { kind: 'model_unavailable'; message: string };

function costOf(deps: AssistantDeps, usage: AskUsage): number {
  const cost = (usage.inputTokens * deps.prices.inputPerMTokens + usage.outputTokens * deps.prices.outputPerMTokens) / 1_000_000;
  return Math.round(cost * 1e6) / 1e6;
}

/** Runs the tool calls of one answer; a budget stop when the request's tool calls run out. */
async function runToolCalls(scope: LoopScope, state: LoopState, calls: readonly ToolCall[], messages: ChatMessage[]): Promise<LoopEnd | undefined> {
  const { ctx, deps, requestId } = scope;
  const { redact } = redactorFor(ctx);
  for (const call of calls) {
    state.usage.toolCalls += 1;
    const over = state.usage.toolCalls > deps.limits.maxToolCalls;
    const handled = over ? { outcome: 'over_budget' as const, message: '', summary: 'tool-call budget used up', pending: undefined } : await handleToolCall(scope, call);
    deps.audit.write({
      kind: 'assistant_tool_call',
      request_id: requestId,
      tool: cut(call.name, 64),
      arguments: cut(redact(call.arguments), ARGUMENTS_AUDIT_CHARS),
      outcome: handled.outcome,
      summary: cut(redact(handled.summary), 300),
    });
    if (over) return { kind: 'budget_exhausted', budget: 'tool_calls' };
    if (handled.outcome === 'refused_approve') state.approveAsked = true;
    if (handled.pending) state.pending.push(handled.pending);
    messages.push({ role: 'tool', toolCallId: call.id, content: handled.message });
  }
  return undefined;
}

/** The loop: ask the model, run what it calls, until it answers, a budget runs out or the model fails. */
async function converse(scope: LoopScope, state: LoopState, messages: ChatMessage[], usedToday: number): Promise<LoopEnd> {
  const { deps, request } = scope;
  const definitions = toolDefinitions(scope.offered);
  for (;;) {
    let answer;
    try {
      answer = await deps.model.complete({ messages, tools: definitions, maxOutputTokens: deps.limits.maxOutputTokens, signal: request.signal });
    } catch (error) {
      if (error instanceof ChatModelError) return { kind: 'model_unavailable', message: error.message };
      throw error;
    }
    state.model = answer.model || state.model;
    state.usage.inputTokens += answer.usage.inputTokens;
    state.usage.outputTokens += answer.usage.outputTokens;
    if (answer.content?.trim()) state.content.push(answer.content);
    if (answer.toolCalls.length === 0) return { kind: 'answered' };
    const spent = state.usage.inputTokens + state.usage.outputTokens;
    if (spent >= deps.limits.maxTokensPerRequest) return { kind: 'budget_exhausted', budget: 'request_tokens' };
    if (usedToday + spent >= deps.limits.dailyTokensPerChat) return { kind: 'budget_exhausted', budget: 'daily_tokens' };
    messages.push({ role: 'assistant', content: answer.content, toolCalls: answer.toolCalls });
    const stop = await runToolCalls(scope, state, answer.toolCalls, messages);
    if (stop) return stop;
  }
}

/**
 * Answers one question through the manager LLM: a tool-calling loop over the whitelisted tools the requester's
 * tier allows, within the request's tool-call and token budgets and the chat's daily token budget. Read tools run
 * and hand their data back delimited as untrusted; write tools only become pending actions a human confirms
 * (`confirmAction`); approving a PR is refused with a pointer to `/approve_pr`. Every step is audited redacted,
 * and the request's tokens and cost are recorded.
 *
 * @example
 * const result = await askAgentpr(ctx, deps, { question: 'which runs are stuck?', requester });
 * print(result.reply); // then offer result.actions for confirmation
 */
export async function askAgentpr(ctx: AppContext, deps: AssistantDeps, request: AskRequest): Promise<AskResult> {
  const requestId = `ask_${randomBytes(6).toString('hex')}`;
  const { redact } = redactorFor(ctx);
  const { requester } = request;
  const now = ctx.clock();
  deps.audit.write({
    kind: 'assistant_question',
    request_id: requestId,
    chat_key: requester.chatKey,
    user_key: requester.userKey,
    tier: requester.tier,
    question: cut(redact(request.question), QUESTION_AUDIT_CHARS),
  });
  const usage = { inputTokens: 0, outputTokens: 0, toolCalls: 0, costUsd: 0 };
  const state: LoopState = { usage, content: [], pending: [], approveAsked: false, model: deps.model.model };
  const usedToday = await assistantTokensSince(ctx.db, requester.chatKey, utcMidnight(now));
  const scope: LoopScope = { ctx, deps, request, requestId, offered: offeredTools(deps, requester.tier) };
  const end: LoopEnd = usedToday >= deps.limits.dailyTokensPerChat
    ? { kind: 'budget_exhausted', budget: 'daily_tokens' }
    : await converse(scope, state, openingMessages(ctx, request, now), usedToday);
  return finish(scope, state, end, now);
}

async function finish(scope: LoopScope, state: LoopState, end: LoopEnd, startedAt: Date): Promise<AskResult> {
  const { ctx, deps, request, requestId } = scope;
  const { redact } = redactorFor(ctx);
  const usage: AskUsage = { ...state.usage, costUsd: costOf(deps, state.usage) };
  // A failed model leaves no way to show the buttons: writes it proposed before failing are withdrawn, not left pending.
  if (end.kind === 'model_unavailable') {
    for (const action of state.pending) {
      await settleAssistantAction(ctx.db, action.actionId, { from: 'pending', to: 'cancelled', decidedAt: iso(ctx.clock()), resultText: 'model unavailable' });
    }
  }
  const reply =
    end.kind === 'model_unavailable'
      ? end.message
      : composeReply({
        content: state.content.map(redact),
        budget: end.kind === 'budget_exhausted' ? budgetLine(end.budget, deps.limits) : undefined,
        pending: state.pending.map((action) => pendingLine(action, deps.limits.confirmTtlSec)),
        approvePointer: state.approveAsked ? approvePointer(request.requester.channel) : undefined,
      });
  await recordAssistantRequest(ctx.db, {
    request_id: requestId,
    channel: request.requester.channel,
    chat_key: request.requester.chatKey,
    user_key: request.requester.userKey,
    model: state.model,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    tool_calls: usage.toolCalls,
    cost_usd: usage.costUsd,
    outcome: end.kind,
    budget: end.kind === 'budget_exhausted' ? end.budget : null,
    created_at: iso(startedAt),
  });
  deps.audit.write({
    kind: 'assistant_reply',
    request_id: requestId,
    outcome: end.kind,
    reply: cut(redact(reply), REPLY_AUDIT_CHARS),
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    tool_calls: usage.toolCalls,
    cost_usd: usage.costUsd,
  });
  switch (end.kind) {
    case 'answered':
      return { kind: 'answered', requestId, reply, actions: state.pending, usage };
    case 'budget_exhausted':
      return { kind: 'budget_exhausted', requestId, reply, budget: end.budget, actions: state.pending, usage };
    case 'model_unavailable':
      return { kind: 'model_unavailable', requestId, reply, usage };
    default: {
      const never: never = end;
      throw new Error(`unknown end ${String(never)}`);
    }
  }
}
