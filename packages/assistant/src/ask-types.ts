import type { AssistantTier, AssistantTool, ToolRuntime } from './tool.js';
import type { ChatModel, TokenUsage } from './chat-model.js';

/** Who asks. Budgets are kept per `chatKey`; a pending action can be confirmed only by its `userKey`. */
export interface Requester {
  channel: 'telegram' | 'cli';
  /** `telegram:<chat_id>` or `cli:<os user>`: the daily token budget's key. */
  chatKey: string;
  /** `telegram:<chat_id>:<user_id>` or `cli:<os user>`: who may confirm. */
  userKey: string;
  /** The tier of this chat (capped by the person's, in groups). The CLI operator is `admin`. */
  tier: AssistantTier;
}

/** Limits of one request and of one chat per day (policy `manager_llm`, defaults in `DEFAULT_ASSISTANT_LIMITS`). */
export interface AssistantLimits {
  /** Tool calls one request may make (all kinds, refused ones included). */
  maxToolCalls: number;
  /** Tokens (input + output, summed over the loop's model requests) one request may use. */
  maxTokensPerRequest: number;
  /** Tokens one chat may use per UTC day. */
  dailyTokensPerChat: number;
  /** Cap on each answer's output tokens. */
  maxOutputTokens: number;
  /** How long a pending write waits for its confirmation. */
  confirmTtlSec: number;
}

/** USD per million tokens, for the cost column; both 0 when unknown (local servers). */
export interface ModelPrices {
  inputPerMTokens: number;
  outputPerMTokens: number;
}

/** One line of the assistant's audit trail; secrets already redacted, confirm tokens never present. */
export type AssistantAuditRecord =
  | { kind: 'assistant_question'; request_id: string; chat_key: string; user_key: string; tier: AssistantTier; question: string }
  | { kind: 'assistant_tool_call'; request_id: string; tool: string; arguments: string; outcome: ToolCallOutcome; summary: string }
  | { kind: 'assistant_reply'; request_id: string; outcome: AskResult['kind']; reply: string; input_tokens: number; output_tokens: number; tool_calls: number; cost_usd: number }
  | { kind: 'assistant_action'; action_id: string; request_id: string; user_key: string; tool: string; outcome: 'confirmed' | 'cancelled' | 'refused' | 'failed'; detail: string };

/** What became of one tool call of the model. */
export type ToolCallOutcome = 'ran' | 'pending_confirmation' | 'invalid_arguments' | 'refused_tier' | 'refused_approve' | 'unknown_tool' | 'failed' | 'over_budget';

/** Where audit records go: the bot's audit log, or the CLI's `<data>/reports/assistant_audit.jsonl`. */
export interface AssistantAuditSink {
  write(record: AssistantAuditRecord): void;
}

/** What the loop needs besides the context. */
export interface AssistantDeps {
  model: ChatModel;
  tools: readonly AssistantTool[];
  limits: AssistantLimits;
  prices: ModelPrices;
  audit: AssistantAuditSink;
  runtime: ToolRuntime;
}

/** A write waiting for a human. `token` goes on the Confirm button (or is used by the CLI's prompt) and is never stored or audited. */
export interface PendingAction {
  /** Public id (audit, logs); not enough to confirm. */
  actionId: string;
  /** The secret that confirms or cancels it, once; only its SHA-256 is stored. */
  token: string;
  tool: string;
  /** Exactly what will run: "pause run_45f3cbdcdc56 (mem0ai/mem0)". */
  summary: string;
  expiresAt: string;
}

/** One question. */
export interface AskRequest {
  question: string;
  requester: Requester;
  /** Earlier turns of an interactive session (user questions and the assistant's replies), oldest first. */
  history?: readonly { question: string; reply: string }[] | undefined;
  signal?: AbortSignal | undefined;
}

/** Usage of one request. */
export interface AskUsage extends TokenUsage {
  toolCalls: number;
  costUsd: number;
}

/** The answer to one question. */
export type AskResult =
  | { kind: 'answered'; requestId: string; reply: string; actions: readonly PendingAction[]; usage: AskUsage }
  | {
    kind: 'budget_exhausted';
    requestId: string;
    /** Says which budget ran out, and what was found before it did. */
    reply: string;
    budget: 'tool_calls' | 'request_tokens' | 'daily_tokens';
    actions: readonly PendingAction[];
    usage: AskUsage;
  }
  | { kind: 'model_unavailable'; requestId: string; reply: string; usage: AskUsage };

/** Confirming or cancelling a pending action. */
export interface ActionDecision {
  token: string;
  /** Who tapped or answered; must be the requester's `userKey`. */
  userKey: string;
  /** Their tier now; must still allow the tool. */
  tier: AssistantTier;
}

/** What a confirmation or a cancellation did. */
export type ActionResult =
  | { kind: 'done'; actionId: string; tool: string; text: string }
  | { kind: 'cancelled'; actionId: string; text: string }
  | { kind: 'refused'; reason: 'unknown' | 'expired' | 'used' | 'other_user' | 'tier'; text: string }
  | { kind: 'failed'; actionId: string; text: string };
