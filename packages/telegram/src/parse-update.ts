import * as v from 'valibot';

/**
 * A Bot API update reduced to what the bot acts on. `userId` is the person (`from.id`), `null` when Telegram
 * names none or the message speaks for a chat (`sender_chat`: anonymous group admins, linked channels).
 * `isGroup` is true for `group`/`supergroup` chats and for any negative chat id.
 */
export type IncomingUpdate =
  | { kind: 'message'; updateId: number; chatId: number; userId: number | null; isGroup: boolean; text: string }
  | { kind: 'callback'; updateId: number; callbackId: string; chatId: number; userId: number | null; isGroup: boolean; data: string }
  /** Stored offset moves past it, nothing runs: edited messages, texts without a chat, other update types. */
  | { kind: 'ignored'; updateId: number; reason: 'edited_message' | 'no_chat' | 'no_text' | 'unsupported' };

const ChatId = v.pipe(v.number(), v.safeInteger());
const Chat = v.looseObject({ id: ChatId, type: v.optional(v.unknown()) });
const User = v.looseObject({ id: v.pipe(v.number(), v.safeInteger(), v.minValue(1)) });
const Message = v.looseObject({ chat: Chat, from: v.optional(v.unknown()), sender_chat: v.optional(v.unknown()), text: v.optional(v.string()) });
const UpdateEnvelope = v.looseObject({ update_id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) });
const CallbackQuery = v.looseObject({
  id: v.string(),
  from: v.optional(v.unknown()),
  data: v.optional(v.string()),
  message: v.optional(v.looseObject({ chat: Chat })),
});

/**
 * Validates one raw `getUpdates` result. Returns `null` when it is not an object with an integer
 * `update_id` (such results are dropped without moving the offset for them). Only `message` runs commands;
 * `edited_message` is `ignored` so an edit never runs a command again.
 *
 * @example
 * parseUpdate({ update_id: 7, message: { chat: { id: 42, type: 'private' }, from: { id: 42 }, text: '/list' } })
 * // → { kind: 'message', updateId: 7, chatId: 42, userId: 42, isGroup: false, text: '/list' }
 */
export function parseUpdate(raw: unknown): IncomingUpdate | null {
  const envelope = v.safeParse(UpdateEnvelope, raw);
  if (!envelope.success) return null;
  const update = envelope.output as Record<string, unknown> & { update_id: number };
  const updateId = update.update_id;
  if (update.message !== undefined) {
    const message = v.safeParse(Message, update.message);
    if (!message.success) return { kind: 'ignored', updateId, reason: 'no_chat' };
    if (message.output.text === undefined) return { kind: 'ignored', updateId, reason: 'no_text' };
    const { chat, text } = message.output;
    const userId = message.output.sender_chat === undefined ? personId(message.output.from) : null;
    return { kind: 'message', updateId, chatId: chat.id, userId, isGroup: isGroupChat(chat), text };
  }
  if (update.edited_message !== undefined) return { kind: 'ignored', updateId, reason: 'edited_message' };
  if (update.callback_query !== undefined) {
    const query = v.safeParse(CallbackQuery, update.callback_query);
    if (!query.success || !query.output.message) return { kind: 'ignored', updateId, reason: 'no_chat' };
    const chat = query.output.message.chat;
    return { kind: 'callback', updateId, callbackId: query.output.id, chatId: chat.id, userId: personId(query.output.from), isGroup: isGroupChat(chat), data: query.output.data ?? '' };
  }
  return { kind: 'ignored', updateId, reason: 'unsupported' };
}

function personId(from: unknown): number | null {
  const parsed = v.safeParse(User, from);
  return parsed.success ? parsed.output.id : null;
}

function isGroupChat(chat: { id: number; type?: unknown }): boolean {
  return chat.id < 0 || chat.type === 'group' || chat.type === 'supergroup';
}
