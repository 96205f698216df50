import {
  redactSecrets,
  splitMessage,
  TelegramError,
  type ChatAcl,
  type ChatClient,
  type InlineButton,
  type SlidingWindowRateLimiter,
  type StrangerAuditSampler,
  type TelegramAuditLog,
} from '@agentpr/telegram';
import type { AppContext, ApprovePr } from '@agentpr/orchestrator';
import type { AssistantChat, BotAssistant } from './assistant-chat.js';

/** Sends a reply split to Telegram's limit; resolves to the send error's text, or `null` when every part was sent. */
/** What a bot run did, returned when it stops. */
export interface TelegramBotSummary {
  /** Updates whose offset was stored (each at most once across restarts). */
  updates: number;
  /** Commands answered (authorised and not rate-limited). */
  commands: number;
  notifications: number;
  pollErrors: number;
  /** Commands and taps from chats that are not allowlisted (never answered). */
  strangerAttempts: number;
  /** Of those, the ones left out of the audit log by sampling or by the stranger budget. */
  strangerUnaudited: number;
}

export type SendReply = (chatId: number, text: string, buttons?: InlineButton[][]) => Promise<string | null>;

/** The state one bot run shares with its message, button-tap and notification handlers. */
export interface BotSession {
  /** The context commands run in (actor `bot`). */
  ctx: AppContext;
  /** The numeric prefix of the token: the key of the stored offset and cursors. */
  botId: string;
  acl: ChatAcl;
  audit: TelegramAuditLog;
  chat: ChatClient;
  /** The bot's own username (`getMe`); unknown means commands addressed with any @suffix are accepted. */
  botUsername: string | undefined;
  listLimit: number;
  approvePr: ApprovePr | undefined;
  /** The manager LLM, for the Confirm/Cancel taps of its pending actions. */
  assistant: BotAssistant | undefined;
  /** The per-chat queue of plain-word questions for the manager LLM. */
  questions: AssistantChat;
  limiter: SlidingWindowRateLimiter;
  strangerAudit: StrangerAuditSampler;
  /** The run's counters, updated in place and returned when the bot stops. */
  summary: TelegramBotSummary;
  /** Monotonic milliseconds for the rate limiter and the stranger audit sampling. */
  now: () => number;
  /** Aborts the bot. */
  signal: AbortSignal;
  send: SendReply;
}

/** The one-line text of a thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Builds the reply sender: secrets redacted, the text split to Telegram's limit, the buttons on the last part,
 * and one retry after Telegram's `retry_after` (capped at 60 s) when rate-limited.
 */
export function createSendReply(chat: ChatClient, secrets: readonly string[], sleep: (ms: number) => Promise<void>): SendReply {
  return async (chatId, text, buttons) => {
    const parts = splitMessage(redactSecrets(text, secrets));
    for (let i = 0; i < parts.length; i++) {
      const message = { chatId, text: parts[i]!, buttons: i === parts.length - 1 ? buttons : undefined };
      try {
        await chat.sendMessage(message);
      } catch (error) {
        if (!(error instanceof TelegramError && error.code === 'rate_limited')) return errorText(error);
        await sleep(Math.min(error.retryAfterSec ?? 1, 60) * 1000);
        try {
          await chat.sendMessage(message);
        } catch (again) {
          return errorText(again);
        }
      }
    }
    return null;
  };
}
