export { ChatModelError } from './chat-model.js';
export type { ChatCompletion, ChatMessage, ChatModel, ChatModelErrorCode, ChatRequest, TokenUsage, ToolCall, ToolDefinition } from './chat-model.js';
export type { AssistantTier, AssistantTool, ToolOutput, ToolRuntime } from './tool.js';
export type {
  ActionDecision,
  ActionResult,
  AskRequest,
  AskResult,
  AskUsage,
  AssistantAuditRecord,
  AssistantAuditSink,
  AssistantDeps,
  AssistantLimits,
  ModelPrices,
  PendingAction,
  Requester,
  ToolCallOutcome,
} from './ask-types.js';
