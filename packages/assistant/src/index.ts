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
export { askAgentpr, offeredTools, MAX_HISTORY_TURNS } from './ask.js';
export { confirmAction, cancelAction } from './actions.js';
export { createAssistant } from './create-assistant.js';
export type { Assistant, CreateAssistantOptions } from './create-assistant.js';
export { openAssistantAuditFile } from './audit-file.js';
export type { AssistantAuditFile, AssistantAuditFileOptions } from './audit-file.js';
export { createOpenAiChatModel } from './openai-chat-model.js';
export { chatModelErrorFrom } from './chat-model-errors.js';
export { resolveLlmConfig, endpointOf, DEFAULT_ASSISTANT_LIMITS, OPENAI_BASE_URL } from './llm-config.js';
export type { LlmConfig, LlmConfigResolution, LlmProvider, ManagerLlmSettings, ResolveLlmConfigInput } from './llm-config.js';
export { toolDefinitions, toolParameters, parseToolArguments, MAX_TOOL_ARGUMENTS_BYTES } from './tool-definitions.js';
export type { ParsedToolArguments } from './tool-definitions.js';
export { untrustedBlock, capUntrusted, escapeForBlock, MAX_UNTRUSTED_BYTES } from './untrusted.js';
export { systemPrompt, approvePointer } from './system-prompt.js';
export { newConfirmToken, tokenHash, CONFIRM_TOKEN_PATTERN } from './pending-actions.js';
export { APPROVE_LIKE } from './tool-call.js';
export { ASSISTANT_TOOLS } from './tools/index.js';
