import type { ActionResult } from '@agentpr/assistant';
import type { AssistantChoice, Sender, Tier } from '@agentpr/telegram';
import type { BotAssistant } from './assistant-chat.js';
import { userKeyOf } from './assistant-chat.js';
import type { BotReply } from './bot-commands.js';

/** The audit `command` of a tap on an assistant button. */
export function assistantTapCommand(choice: AssistantChoice): string {
  return `button:assistant_${choice}`;
}

/** The audit `request_text` of a tap: the choice only, never the token the button carries. */
export function assistantTapRequest(choice: AssistantChoice): string {
  return `[button] assistant ${choice}`;
}

const UNAVAILABLE: BotReply = {
  text: 'This button belongs to the manager LLM, which this bot does not run now (--llm-base-url and --llm-model). Send /help for the commands.',
  outcome: 'error',
  detail: 'llm_not_configured',
};

/** What a confirmation or a cancellation did, as a reply; another person's tap is answered by a toast only. */
export function actionReply(result: ActionResult): BotReply {
  switch (result.kind) {
    case 'done':
      return { text: result.text, outcome: 'ok', detail: `confirmed ${result.tool} ${result.actionId}` };
    case 'cancelled':
      return { text: result.text, outcome: 'ok', detail: `cancelled ${result.actionId}` };
    case 'failed':
      return { text: result.text, outcome: 'error', detail: `failed ${result.actionId}` };
    case 'refused':
      return { text: result.text, outcome: 'error', detail: `refused: ${result.reason}`, toastOnly: result.reason === 'other_user' };
    default: {
      const never: never = result;
      return never;
    }
  }
}

/**
 * Answers a tap on an assistant's Confirm or Cancel button: the assistant checks that the tapping person is the one
 * who asked (in a private chat, the chat), that the action is still pending and not expired, and that their tier
 * still allows the tool; only then does the stored, validated call run, once.
 */
export async function handleAssistantTap(
  assistant: BotAssistant | undefined,
  sender: Sender,
  tier: Tier,
  tap: { choice: AssistantChoice; token: string },
): Promise<BotReply> {
  if (!assistant) return UNAVAILABLE;
  const decision = { token: tap.token, userKey: userKeyOf(sender), tier };
  return actionReply(tap.choice === 'confirm' ? await assistant.confirm(decision) : await assistant.cancel(decision));
}
