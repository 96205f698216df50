import * as v from 'valibot';

/** A Bot API update reduced to what the bot acts on. */
export type IncomingUpdate =
  | { kind: 'message'; updateId: number; chatId: number; text: string }
  | { kind: 'callback'; updateId: number; callbackId: string; chatId: number; data: string }
  /** Stored offset moves past it, nothing runs: edited messages (W40), texts without a chat, other update types. */
  | { kind: 'ignored'; updateId: number; reason: 'edited_message' | 'no_chat' | 'no_text' | 'unsupported' };

const ChatId = v.pipe(v.number(), v.safeInteger());
const Chat = v.looseObject({ id: ChatId });
const Message = v.looseObject({ chat: Chat, text: v.optional(v.string()) });
const UpdateEnvelope = v.looseObject({ update_id: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) });
const CallbackQuery = v.looseObject({
  id: v.string(),
  data: v.optional(v.string()),
  message: v.optional(v.looseObject({ chat: Chat })),
});

/**
 * Validates one raw `getUpdates` result (SPEC §8.1). Returns `null` when it is not an object with an integer
 * `update_id` (such results are dropped without moving the offset for them). Only `message` runs commands;
 * `edited_message` is `ignored` so an edit never runs a command again (W40).
 *
 * @example
 * parseUpdate({ update_id: 7, message: { chat: { id: 42 }, text: '/list' } }) // → { kind: 'message', updateId: 7, chatId: 42, text: '/list' }
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
    return { kind: 'message', updateId, chatId: message.output.chat.id, text: message.output.text };
  }
  if (update.edited_message !== undefined) return { kind: 'ignored', updateId, reason: 'edited_message' };
  if (update.callback_query !== undefined) {
    const query = v.safeParse(CallbackQuery, update.callback_query);
    if (!query.success || !query.output.message) return { kind: 'ignored', updateId, reason: 'no_chat' };
    return { kind: 'callback', updateId, callbackId: query.output.id, chatId: query.output.message.chat.id, data: query.output.data ?? '' };
  }
  return { kind: 'ignored', updateId, reason: 'unsupported' };
}
