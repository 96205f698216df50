import type { AskResult, PendingAction } from './ask-types.js';
import type { AssistantLimits } from './ask-types.js';
import { ttlText } from './text.js';

/** Which budget stopped a request. */
export type BudgetName = Extract<AskResult, { kind: 'budget_exhausted' }>['budget'];

/** The line a budget stop ends with: which budget ran out, and what still works. */
export function budgetLine(budget: BudgetName, limits: AssistantLimits): string {
  switch (budget) {
    case 'tool_calls':
      return `Stopped: this question used its ${limits.maxToolCalls} tool calls (manager_llm.max_tool_calls). Ask something narrower.`;
    case 'request_tokens':
      return `Stopped: this question used its ${limits.maxTokensPerRequest.toLocaleString('en-US')} tokens (manager_llm.max_tokens_per_request). Ask something narrower.`;
    case 'daily_tokens':
      return `This chat's daily budget of ${limits.dailyTokensPerChat.toLocaleString('en-US')} tokens is used up (manager_llm.daily_tokens_per_chat); it resets at 00:00 UTC. Every other command keeps working.`;
    default: {
      const never: never = budget;
      return String(never);
    }
  }
}

/** "Waiting for your confirmation: pause run_… (owner/repo) — valid 5 min". */
export function pendingLine(action: PendingAction, ttlSec: number): string {
  return `Waiting for your confirmation: ${action.summary} — valid ${ttlText(ttlSec)}`;
}

/** What a reply is made of, in order: the model's text, a budget line, pending actions, the approve pointer. */
export interface ReplyParts {
  content: readonly string[];
  budget?: string | undefined;
  pending: readonly string[];
  approvePointer?: string | undefined;
}

/** The reply text; the approve pointer, when there is one, is always its last line. */
export function composeReply(parts: ReplyParts): string {
  const lines = [...parts.content.map((c) => c.trim()).filter(Boolean), ...(parts.budget ? [parts.budget] : []), ...parts.pending];
  if (parts.approvePointer) lines.push(parts.approvePointer);
  return lines.join('\n\n');
}
