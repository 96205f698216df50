export { startLlmStub } from './start-llm-stub.js';
export type { StartLlmStubOptions, RunningLlmStub, RecordedRequest } from './start-llm-stub.js';
export { parseLlmScenario, loadLlmScenario, substituteLlmScenarioVars } from './scenario.js';
export type {
  LlmScenario,
  LlmScenarioInput,
  LlmScenarioTurn,
  LlmScenarioStep,
  LlmScenarioToolCall,
  LlmToolCallsStep,
  LlmReplyStep,
  LlmScenarioUsage,
  ParseLlmScenarioResult,
} from './scenario.js';
export { llmScenarioPath, LLM_SCENARIO_NAMES } from './scenario-path.js';
export type { LlmScenarioName } from './scenario-path.js';
export { planAnswer, EXHAUSTED_REPLY } from './plan-answer.js';
export type { Plan, PlannedAnswer, PlannedToolCall, LlmStubOutcome } from './plan-answer.js';
export { parseChatRequest, readConversation, offeredToolNames } from './chat-request.js';
export type { ChatMessage, ChatRequest, Conversation, ParseChatRequestResult } from './chat-request.js';
export { chatCompletion, openAiError } from './openai-wire.js';
export type { OpenAiErrorBody } from './openai-wire.js';
export { LlmStubError } from './errors.js';
export type { LlmStubErrorCode } from './errors.js';
