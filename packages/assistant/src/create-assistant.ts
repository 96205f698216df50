import type { AppContext } from '@agentpr/orchestrator';
import { cancelAction, confirmAction } from './actions.js';
import { askAgentpr } from './ask.js';
import type { ActionDecision, ActionResult, AskRequest, AskResult, AssistantAuditSink, AssistantDeps } from './ask-types.js';
import type { ChatModel } from './chat-model.js';
import type { LlmConfig } from './llm-config.js';
import { createOpenAiChatModel } from './openai-chat-model.js';
import type { AssistantTool, ToolRuntime } from './tool.js';
import { ASSISTANT_TOOLS } from './tools/index.js';

/** What {@link createAssistant} wires together. */
export interface CreateAssistantOptions {
  config: LlmConfig;
  audit: AssistantAuditSink;
  runtime: ToolRuntime;
  /** The model; default the `openai` SDK adapter over `config`. */
  model?: ChatModel | undefined;
  /** The tools; default the whitelisted catalogue `ASSISTANT_TOOLS`. */
  tools?: readonly AssistantTool[] | undefined;
}

/** The assistant as the CLI and the bot use it. */
export interface Assistant {
  ask(request: AskRequest): Promise<AskResult>;
  confirm(decision: ActionDecision): Promise<ActionResult>;
  cancel(decision: ActionDecision): Promise<ActionResult>;
  readonly model: ChatModel;
}

/**
 * The assistant over one context: the model (the `openai` SDK adapter unless given), the whitelisted tools, the
 * configured limits and prices, the audit sink and the app's tool runtime.
 *
 * @example
 * const assistant = createAssistant(ctx, { config: llm.config, audit, runtime: { signal } });
 * const result = await assistant.ask({ question, requester });
 */
export function createAssistant(ctx: AppContext, options: CreateAssistantOptions): Assistant {
  const model = options.model ?? createOpenAiChatModel(options.config);
  const deps: AssistantDeps = {
    model,
    tools: options.tools ?? ASSISTANT_TOOLS,
    limits: options.config.limits,
    prices: options.config.prices,
    audit: options.audit,
    runtime: options.runtime,
  };
  return {
    model,
    ask: (request) => askAgentpr(ctx, deps, request),
    confirm: (decision) => confirmAction(ctx, deps, decision),
    cancel: (decision) => cancelAction(ctx, deps, decision),
  };
}
