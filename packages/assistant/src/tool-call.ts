import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import type { AskRequest, AssistantDeps, PendingAction, ToolCallOutcome } from './ask-types.js';
import type { ToolCall } from './chat-model.js';
import { createPendingAction } from './pending-actions.js';
import type { AssistantTool } from './tool.js';
import { parseToolArguments } from './tool-definitions.js';
import { tierAllows, oneLine } from './text.js';
import { untrustedBlock } from './untrusted.js';

/** What one request's loop knows while it handles tool calls. */
export interface LoopScope {
  ctx: AppContext;
  deps: AssistantDeps;
  request: AskRequest;
  requestId: string;
  /** The tools this requester was offered (tier and runtime allowing). */
  offered: readonly AssistantTool[];
}

/** What became of one call: the outcome, the tool message for the model, a line for the audit, and any pending write. */
export interface HandledToolCall {
  outcome: ToolCallOutcome;
  message: string;
  summary: string;
  pending?: PendingAction | undefined;
}

/** A name that looks like approving or merging a PR; no tool does that, whatever the model calls it. */
export const APPROVE_LIKE = /approv|merge_pr|open_pr/i;

/** What the model is told when it asks to approve a PR. */
export const APPROVE_REFUSAL =
  'refused: approving or merging a PR is never a tool. A human approves it with /approve_pr <run_id> (Telegram) or ' +
  'agentpr approve-open-pr --run-id <run_id> (CLI), with its confirm token. Point the user there.';

/** The one line of an expected failure (`AgentprError`, `StoreError`) a tool threw; undefined for anything else. */
export function expectedFailure(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error.name !== 'AgentprError' && error.name !== 'StoreError')) return undefined;
  return oneLine(error.message, 500);
}

function refusedOrUnknown(scope: LoopScope, call: ToolCall, tool: AssistantTool | undefined): HandledToolCall | undefined {
  const name = oneLine(call.name, 64);
  // A read tool of the catalogue keeps its name even if it matches (a list of open PRs); anything else is refused.
  if (APPROVE_LIKE.test(call.name) && !(tool && tool.effect === 'read')) {
    return { outcome: 'refused_approve', message: APPROVE_REFUSAL, summary: `refused: ${name} looks like approving a PR` };
  }
  if (!tool) {
    return { outcome: 'unknown_tool', message: `refused: there is no tool named ${JSON.stringify(name)}; use only the tools offered.`, summary: `no tool ${name}` };
  }
  const tier = scope.request.requester.tier;
  if (!tierAllows(tier, tool.tier)) {
    const text = `refused: this chat has ${tier} permission; ${tool.name} needs ${tool.tier}`;
    return { outcome: 'refused_tier', message: `${text}. Tell the user; do not try another way.`, summary: text };
  }
  if (!scope.offered.includes(tool)) {
    return { outcome: 'unknown_tool', message: `refused: ${tool.name} is not available here.`, summary: `${tool.name} not offered` };
  }
  return undefined;
}

async function runRead(scope: LoopScope, tool: AssistantTool, args: unknown): Promise<HandledToolCall> {
  const { ctx, deps } = scope;
  const redactor = redactorFor(ctx);
  try {
    const output = await tool.run(ctx, args, deps.runtime);
    // The model is outside: agentpr's own secrets never reach it, even inside run data.
    return { outcome: 'ran', message: untrustedBlock(tool.name, redactor.redactDeep(output.data)), summary: output.summary };
  } catch (error) {
    const line = expectedFailure(error);
    if (line === undefined) ctx.log.error('assistant tool failed unexpectedly', { tool: tool.name, error: redactor.redact(String(error)) });
    const text = redactor.redact(line ?? `${tool.name} failed unexpectedly`);
    return { outcome: 'failed', message: untrustedBlock(tool.name, { error: text }), summary: `failed: ${text}` };
  }
}

async function proposeWrite(scope: LoopScope, tool: AssistantTool, args: unknown): Promise<HandledToolCall> {
  const { ctx, deps, request, requestId } = scope;
  let summary: string;
  try {
    summary = tool.describe ? await tool.describe(ctx, args) : `${tool.name} ${JSON.stringify(args)}`;
  } catch (error) {
    const redactor = redactorFor(ctx);
    const line = expectedFailure(error);
    if (line === undefined) ctx.log.error('assistant tool describe failed unexpectedly', { tool: tool.name, error: redactor.redact(String(error)) });
    const text = redactor.redact(line ?? `${tool.name} failed unexpectedly`);
    return { outcome: 'failed', message: untrustedBlock(tool.name, { error: text, pending: false }), summary: `failed: ${text}` };
  }
  const pending = await createPendingAction(ctx, {
    requestId,
    requester: request.requester,
    tool: tool.name,
    args,
    summary: oneLine(summary, 200),
    ttlSec: deps.limits.confirmTtlSec,
  });
  return {
    outcome: 'pending_confirmation',
    message: `pending: the human will be shown a Confirm button for "${pending.summary}"; it has NOT run. Say that a confirmation is waiting.`,
    summary: pending.summary,
    pending,
  };
}

/**
 * Handles one tool call of the model. Nothing runs unless the call names a whitelisted tool the requester's tier
 * allows, with arguments that pass its valibot schema: read tools then run at once, their data handed back
 * delimited as untrusted; write tools only become a pending action a human confirms. Approving a PR is refused
 * whatever the call is named.
 */
export async function handleToolCall(scope: LoopScope, call: ToolCall): Promise<HandledToolCall> {
  const tool = scope.deps.tools.find((t) => t.name === call.name);
  const refused = refusedOrUnknown(scope, call, tool);
  if (refused || !tool) return refused ?? { outcome: 'unknown_tool', message: 'refused: unknown tool', summary: 'unknown tool' };
  const parsed = parseToolArguments(tool, call.arguments);
  if (!parsed.ok) {
    return { outcome: 'invalid_arguments', message: `error: ${parsed.error}. Nothing ran; fix the arguments and call again.`, summary: parsed.error };
  }
  return tool.effect === 'read' ? runRead(scope, tool, parsed.args) : proposeWrite(scope, tool, parsed.args);
}
