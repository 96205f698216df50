import { describe, expect, it } from 'vitest';
import { parseUpdate } from './parse-update.js';

describe('parseUpdate', () => {
  it('parseUpdate returns the chat and text of a message', () => {
    expect(parseUpdate({ update_id: 3, message: { message_id: 1, chat: { id: -100123 }, text: '/list' } })).toEqual({
      kind: 'message',
      updateId: 3,
      chatId: -100123,
      text: '/list',
    });
  });

  it('W40: parseUpdate ignores edited messages', () => {
    expect(parseUpdate({ update_id: 4, edited_message: { chat: { id: 1 }, text: '/pause run_1' } })).toEqual({ kind: 'ignored', updateId: 4, reason: 'edited_message' });
  });

  it('parseUpdate ignores a message without a chat id or text, and drops non-objects', () => {
    expect(parseUpdate({ update_id: 5, message: { text: '/list' } })).toEqual({ kind: 'ignored', updateId: 5, reason: 'no_chat' });
    expect(parseUpdate({ update_id: 6, message: { chat: { id: 1 }, sticker: {} } })).toEqual({ kind: 'ignored', updateId: 6, reason: 'no_text' });
    expect(parseUpdate('nope')).toBeNull();
    expect(parseUpdate({ message: {} })).toBeNull();
  });

  it('parseUpdate reads a callback query with the chat of its message', () => {
    expect(parseUpdate({ update_id: 7, callback_query: { id: 'q1', data: 'show:run_1', message: { chat: { id: 9 } } } })).toEqual({
      kind: 'callback',
      updateId: 7,
      callbackId: 'q1',
      chatId: 9,
      data: 'show:run_1',
    });
  });
});
