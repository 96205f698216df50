import type { ActionDecision, ActionResult, AskRequest, AskResult, PendingAction, Requester } from '@agentpr/assistant';
import { encodeAssistantButton, type InlineButton, type Sender, type Tier } from '@agentpr/telegram';
import type { BotReply } from './bot-commands.js';
import { ChatQueue } from './chat-queue.js';

/** The assistant as the bot uses it: what `createAssistant` of @agentpr/assistant returns. */
export interface BotAssistant {
  ask(request: AskRequest): Promise<AskResult>;
  confirm(decision: ActionDecision): Promise<ActionResult>;
  cancel(decision: ActionDecision): Promise<ActionResult>;
}

/** The answer to a plain-word message when no manager LLM is configured. */
export const NO_LLM_TEXT = 'Questions in plain words need a manager LLM (--llm-base-url and --llm-model). Send /help for the commands.';

/** Earlier turns of a chat handed to the model with each question. */
export const HISTORY_TURNS = 4;

/** Chats whose turns are remembered at once; the least recently asking one is forgotten first. */
const HISTORY_CHATS = 1000;

/** Longest summary shown on a Confirm button; the message text above it carries the whole line. */
const BUTTON_SUMMARY_LIMIT = 48;

/** `telegram:<chat>`: the daily token budget is kept per chat. */
export function chatKeyOf(sender: Sender): string {
  return `telegram:${sender.chatId}`;
}

/**
 * `telegram:<chat>:<user>`: only this person may confirm what they asked for. In a private chat the person is the
 * chat; a group message that names nobody (an anonymous admin) gets a key no tap can match.
 */
export function userKeyOf(sender: Sender): string {
  const user = sender.userId ?? (sender.isGroup ? 'anonymous' : sender.chatId);
  return `telegram:${sender.chatId}:${user}`;
}

/** Who asks, with the tier the chat (capped by the person's, in groups) has now. */
export function requesterOf(sender: Sender, tier: Tier): Requester {
  return { channel: 'telegram', chatKey: chatKeyOf(sender), userKey: userKeyOf(sender), tier };
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** One row per pending action: [Confirm: <summary>] [Cancel], each carrying the action's one-time token. */
export function actionButtons(actions: readonly PendingAction[]): InlineButton[][] | undefined {
  if (actions.length === 0) return undefined;
  return actions.map((action) => [
    { text: `Confirm: ${cut(action.summary, BUTTON_SUMMARY_LIMIT)}`, callbackData: encodeAssistantButton('confirm', action.token) },
    { text: 'Cancel', callbackData: encodeAssistantButton('cancel', action.token) },
  ]);
}

/** The reply to a question: the assistant's text, a Confirm/Cancel row per pending write, and the audit outcome. */
export function askReply(result: AskResult): BotReply {
  switch (result.kind) {
    case 'answered':
      return { text: result.reply, outcome: 'ok', detail: `answered ${result.requestId}`, buttons: actionButtons(result.actions) };
    case 'budget_exhausted':
      return { text: result.reply, outcome: 'error', detail: `budget_exhausted ${result.budget} ${result.requestId}`, buttons: actionButtons(result.actions) };
    case 'model_unavailable':
      return { text: result.reply, outcome: 'error', detail: `model_unavailable ${result.requestId}` };
    default: {
      const never: never = result;
      return never;
    }
  }
}

/** The reply when a chat already has questions waiting for the model. */
const BUSY: BotReply = { text: 'Still answering your earlier questions; ask again in a moment.', outcome: 'error', detail: 'questions_pending' };

/**
 * The plain-word side of the bot: sends a chat's question to the assistant with the chat's last
 * {@link HISTORY_TURNS} turns (kept in memory only; a restart forgets them) and maps the answer to a reply.
 * Questions wait for the model in the background, in order per chat, so no command waits behind them.
 */
export class AssistantChat {
  readonly #assistant: BotAssistant | undefined;
  readonly #history = new Map<number, Array<{ question: string; reply: string }>>();
  readonly #queue: ChatQueue;

  constructor(assistant: BotAssistant | undefined, options: { onError: (error: unknown) => void }) {
    this.#assistant = assistant;
    this.#queue = new ChatQueue({ onError: options.onError });
  }

  /** Whether a manager LLM answers questions. */
  get enabled(): boolean {
    return this.#assistant !== undefined;
  }

  /**
   * Queues a question; `deliver` gets its reply when the model has answered (an exception in the assistant becomes
   * the reply `failed` makes of it). A chat with 3 questions waiting gets a "still answering" reply at once.
   */
  async enqueue(
    sender: Sender,
    tier: Tier,
    question: string,
    io: { signal: AbortSignal; deliver: (reply: BotReply) => Promise<void>; failed: (error: unknown) => BotReply },
  ): Promise<void> {
    const queued = this.#queue.enqueue(sender.chatId, async () => {
      await io.deliver(await this.answer(sender, tier, question, io.signal).catch(io.failed));
    });
    if (!queued) await io.deliver(BUSY);
  }

  /** Resolves when every queued question has been answered and delivered. */
  drain(): Promise<void> {
    return this.#queue.drain();
  }

  /** Answers one question of `sender` (whose tier is `tier`); without a manager LLM, says how to configure one. */
  async answer(sender: Sender, tier: Tier, question: string, signal: AbortSignal): Promise<BotReply> {
    if (!this.#assistant) return { text: NO_LLM_TEXT, outcome: 'error', detail: 'llm_not_configured' };
    const history = this.#history.get(sender.chatId) ?? [];
    const result = await this.#assistant.ask({ question, requester: requesterOf(sender, tier), history, signal });
    if (result.kind !== 'model_unavailable') this.#remember(sender.chatId, [...history, { question, reply: result.reply }].slice(-HISTORY_TURNS));
    return askReply(result);
  }

  #remember(chatId: number, turns: Array<{ question: string; reply: string }>): void {
    this.#history.delete(chatId);
    this.#history.set(chatId, turns);
    if (this.#history.size > HISTORY_CHATS) this.#history.delete(this.#history.keys().next().value!);
  }
}
