/** One inline keyboard button that sends `callbackData` back to the bot when tapped. */
export interface InlineButton {
  text: string;
  /** At most 64 bytes (Telegram's limit). */
  callbackData: string;
}

/** The bot's identity, from `getMe`. */
export interface BotIdentity {
  id: number;
  username: string | undefined;
}

/** What the bot sends as one message. */
export interface OutgoingMessage {
  chatId: number;
  /** At most 4096 characters; split longer replies with `splitMessage` first. */
  text: string;
  /** Rows of inline buttons. */
  buttons?: InlineButton[][] | undefined;
}

/**
 * The part of the Telegram Bot API the bot uses. Implementations throw `TelegramError` (with `code`
 * `bad_token`, `conflict`, `rate_limited`, `api_error`, `network`, `timeout` or `bad_response`) and never put
 * the bot token in a message. The real one is {@link createTelegramChatClient}; tests may use any other.
 */
export interface ChatClient {
  getMe(signal?: AbortSignal): Promise<BotIdentity>;
  /**
   * One long poll. `timeoutSec` is the server-side wait; the HTTP timeout must exceed it. Results are
   * returned raw: validate each with `parseUpdate`.
   */
  getUpdates(params: { offset?: number | undefined; timeoutSec: number; limit?: number | undefined }, signal?: AbortSignal): Promise<unknown[]>;
  /** Sends a message with link previews off. */
  sendMessage(message: OutgoingMessage, signal?: AbortSignal): Promise<{ messageId: number | undefined }>;
  /** Acknowledges a button tap, optionally with a short toast text. */
  answerCallbackQuery(params: { callbackQueryId: string; text?: string | undefined }, signal?: AbortSignal): Promise<void>;
}

/** Telegram's limit on `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

/** Actions a notification button can ask for. */
export type ButtonAction = 'show' | 'pause' | 'approve';

/**
 * Encodes a button action as `callback_data` (`<action>:<run_id>`), or `null` when it would exceed Telegram's
 * 64-byte limit (very long run ids); callers then leave the button out and the message text names the command.
 */
export function encodeButtonData(action: ButtonAction, runId: string): string | null {
  const data = `${action}:${runId}`;
  return Buffer.byteLength(data) <= CALLBACK_DATA_LIMIT ? data : null;
}

/** Decodes `callback_data` made by {@link encodeButtonData}; `null` for anything else. */
export function decodeButtonData(data: string): { action: ButtonAction; runId: string } | null {
  const match = /^(show|pause|approve):(.+)$/.exec(data);
  return match ? { action: match[1] as ButtonAction, runId: match[2]! } : null;
}

/** A tap on an approval card: approve (asks for a confirming tap), confirm, reject, or cancel the confirmation. */
export type CardStep = 'approve' | 'confirm' | 'reject' | 'cancel';

const CARD_STEP_CODES: Record<CardStep, string> = { approve: 'a', confirm: 'c', reject: 'r', cancel: 'x' };

/** Opaque card ids: letters, digits, `-` and `_` (base64url), 8–32 characters. */
const CARD_ID = /^[A-Za-z0-9_-]{8,32}$/;

/**
 * Encodes a tap on an approval card as `callback_data` (`card:<step>:<id>`). The id is opaque: the bot maps it to
 * the request and head SHA server-side, so no token or request detail is visible to the client (Telegram shows
 * `callback_data` to it) and the data stays far below the 64-byte limit.
 *
 * @example
 * encodeCardButton('confirm', 'Zq3x9LmP0aBc') // 'card:c:Zq3x9LmP0aBc'
 */
export function encodeCardButton(step: CardStep, cardId: string): string {
  if (!CARD_ID.test(cardId)) throw new TypeError(`card id ${JSON.stringify(cardId)} is not 8-32 base64url characters`);
  return `card:${CARD_STEP_CODES[step]}:${cardId}`;
}

/** Decodes `callback_data` made by {@link encodeCardButton}; `null` for anything else. */
export function decodeCardButton(data: string): { step: CardStep; cardId: string } | null {
  const match = /^card:([acrx]):([A-Za-z0-9_-]{8,32})$/.exec(data);
  if (!match) return null;
  const step = (Object.keys(CARD_STEP_CODES) as CardStep[]).find((s) => CARD_STEP_CODES[s] === match[1])!;
  return { step, cardId: match[2]! };
}

/** A tap on an assistant's pending action: run it, or drop it. */
export type AssistantChoice = 'confirm' | 'cancel';

/** Assistant action tokens: base64url, 16–40 characters (the engine makes 22 from 16 random bytes). */
const ASSISTANT_TOKEN = /^[A-Za-z0-9_-]{16,40}$/;

/**
 * Encodes a tap on an assistant's Confirm or Cancel button as `callback_data` (`ai:c:<token>` / `ai:x:<token>`).
 * The token is the pending action's one-time secret: only its SHA-256 is stored, it is valid once, for a short
 * time and only for the person who asked, and at most 46 bytes leave room under Telegram's 64-byte limit.
 *
 * @example
 * encodeAssistantButton('confirm', 'q3Zx9LmP0aBc-_12q3Zx9L') // 'ai:c:q3Zx9LmP0aBc-_12q3Zx9L'
 */
export function encodeAssistantButton(choice: AssistantChoice, token: string): string {
  if (!ASSISTANT_TOKEN.test(token)) throw new TypeError('an assistant action token is 16-40 base64url characters');
  return `ai:${choice === 'confirm' ? 'c' : 'x'}:${token}`;
}

/** Decodes `callback_data` made by {@link encodeAssistantButton}; `null` for anything else. */
export function decodeAssistantButton(data: string): { choice: AssistantChoice; token: string } | null {
  const match = /^ai:([cx]):([A-Za-z0-9_-]{16,40})$/.exec(data);
  return match ? { choice: match[1] === 'c' ? 'confirm' : 'cancel', token: match[2]! } : null;
}
