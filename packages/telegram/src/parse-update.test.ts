import { describe, expect, it } from 'vitest';
import { parseUpdate } from './parse-update.js';

describe('parseUpdate', () => {
  it('parseUpdate returns the chat, sender and text of a message', () => {
    expect(parseUpdate({ update_id: 3, message: { message_id: 1, chat: { id: -100123 }, from: { id: 77, is_bot: false }, text: '/list' } })).toEqual({
      kind: 'message',
      updateId: 3,
      chatId: -100123,
      userId: 77,
      isGroup: true,
      text: '/list',
    });
    expect(parseUpdate({ update_id: 4, message: { chat: { id: 42, type: 'private' }, from: { id: 42 }, text: '/list' } })).toMatchObject({ userId: 42, isGroup: false });
  });

  it('parseUpdate marks group and supergroup chats as groups by type, and a message for a chat (sender_chat) or without from has no user', () => {
    expect(parseUpdate({ update_id: 5, message: { chat: { id: 500, type: 'group' }, from: { id: 7 }, text: '/list' } })).toMatchObject({ isGroup: true, userId: 7 });
    expect(parseUpdate({ update_id: 6, message: { chat: { id: 501, type: 'supergroup' }, text: '/list' } })).toMatchObject({ isGroup: true, userId: null });
    expect(parseUpdate({ update_id: 7, message: { chat: { id: -100, type: 'supergroup' }, from: { id: 1087968824 }, sender_chat: { id: -100 }, text: '/pause x' } })).toMatchObject({ userId: null });
    expect(parseUpdate({ update_id: 8, message: { chat: { id: -100 }, from: { id: -5 }, text: '/list' } })).toMatchObject({ userId: null });
  });

  it('parseUpdate ignores edited messages', () => {
    expect(parseUpdate({ update_id: 4, edited_message: { chat: { id: 1 }, text: '/pause run_1' } })).toEqual({ kind: 'ignored', updateId: 4, reason: 'edited_message' });
  });

  it('parseUpdate ignores a message without a chat id or text, and drops non-objects', () => {
    expect(parseUpdate({ update_id: 5, message: { text: '/list' } })).toEqual({ kind: 'ignored', updateId: 5, reason: 'no_chat' });
    expect(parseUpdate({ update_id: 6, message: { chat: { id: 1 }, sticker: {} } })).toEqual({ kind: 'ignored', updateId: 6, reason: 'no_text' });
    expect(parseUpdate('nope')).toBeNull();
    expect(parseUpdate({ message: {} })).toBeNull();
  });

  it('parseUpdate reads the person who tapped a button in a group from the callback query', () => {
    expect(parseUpdate({ update_id: 8, callback_query: { id: 'q2', from: { id: 66 }, data: 'pause:run_1', message: { chat: { id: -100200, type: 'supergroup' } } } })).toMatchObject({
      kind: 'callback',
      chatId: -100200,
      userId: 66,
      isGroup: true,
    });
  });

  it('parseUpdate reads a callback query with the chat of its message', () => {
    expect(parseUpdate({ update_id: 7, callback_query: { id: 'q1', data: 'show:run_1', message: { chat: { id: 9 } } } })).toEqual({
      kind: 'callback',
      updateId: 7,
      callbackId: 'q1',
      chatId: 9,
      userId: null,
      isGroup: false,
      data: 'show:run_1',
    });
  });
});
