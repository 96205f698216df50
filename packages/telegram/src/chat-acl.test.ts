import { describe, expect, it } from 'vitest';
import { authorizeChat, authorizeSender, chatTier, commandTier, createChatAcl, senderTier, type Sender } from './chat-acl.js';
import { TelegramError } from './errors.js';

describe('commandTier', () => {
  it('commandTier maps read, write and admin commands and treats unknown ones as read', () => {
    expect(['start', 'help', 'list', 'show', 'status', 'pending_pr'].map(commandTier)).toEqual(Array(6).fill('read'));
    expect(['pause', 'resume', 'retry'].map(commandTier)).toEqual(['write', 'write', 'write']);
    expect(commandTier('approve_pr')).toBe('admin');
    expect(commandTier('frobnicate')).toBe('read');
    expect(commandTier('constructor')).toBe('read');
  });
});

describe('createChatAcl and authorizeChat', () => {
  it('with only allow ids every allowed chat has every tier (write and admin default down the chain)', () => {
    const acl = createChatAcl({ allowChatIds: [1, 2] });
    expect(authorizeChat(acl, 2, 'admin')).toEqual({ ok: true });
    expect(authorizeChat(acl, 3, 'read')).toEqual({ ok: false, reason: 'chat_not_allowlisted' });
  });

  it('with write and admin ids a read-only chat is refused write and admin', () => {
    const acl = createChatAcl({ allowChatIds: [1, 2, 3], writeChatIds: [2], adminChatIds: [3] });
    expect(authorizeChat(acl, 1, 'read')).toEqual({ ok: true });
    expect(authorizeChat(acl, 1, 'write')).toEqual({ ok: false, reason: 'write_permission_required' });
    expect(authorizeChat(acl, 2, 'write')).toEqual({ ok: true });
    expect(authorizeChat(acl, 2, 'admin')).toEqual({ ok: false, reason: 'admin_permission_required' });
    expect(authorizeChat(acl, 3, 'write')).toEqual({ ok: true });
    expect(authorizeChat(acl, 3, 'admin')).toEqual({ ok: true });
    expect([1, 2, 3, 4].map((id) => chatTier(acl, id))).toEqual(['read', 'write', 'admin', null]);
  });

  it('--allow-any-chat without ids gives every chat read and nobody write or admin', () => {
    const acl = createChatAcl({ allowAnyChat: true });
    expect(authorizeChat(acl, 999, 'read')).toEqual({ ok: true });
    expect(authorizeChat(acl, 999, 'write')).toEqual({ ok: false, reason: 'write_permission_required' });
    expect(authorizeChat(acl, 999, 'admin')).toEqual({ ok: false, reason: 'admin_permission_required' });
    expect(acl.admin.size).toBe(0);
  });

  it('--allow-any-chat with an admin id gives admin only to that chat', () => {
    const acl = createChatAcl({ allowAnyChat: true, adminChatIds: [7] });
    expect(authorizeChat(acl, 7, 'admin')).toEqual({ ok: true });
    expect(authorizeChat(acl, 8, 'write')).toEqual({ ok: false, reason: 'write_permission_required' });
  });

  it('createChatAcl without chat ids and without --allow-any-chat refuses and names the flags', () => {
    expect(() => createChatAcl({})).toThrow(/--allow-chat-id.*--allow-any-chat/);
  });

  it('createChatAcl refuses a chat id that is not a safe integer', () => {
    const error = (() => {
      try {
        createChatAcl({ allowChatIds: [1.5] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TelegramError);
    expect((error as TelegramError).code).toBe('invalid_config');
  });
});

describe('user ids in group chats (authorizeSender, senderTier)', () => {
  const GROUP = -100500;
  const inGroup = (userId: number | null): Sender => ({ chatId: GROUP, userId, isGroup: true });
  const privately = (id: number): Sender => ({ chatId: id, userId: id, isGroup: false });

  it('without user ids every member of an admin group has the admin tier (the behaviour before user ids)', () => {
    const acl = createChatAcl({ adminChatIds: [GROUP] });
    expect(acl.users).toBeNull();
    expect(authorizeSender(acl, inGroup(12345), 'admin')).toEqual({ ok: true });
    expect(senderTier(acl, inGroup(null))).toBe('admin');
  });

  it('a group member without a user tier cannot pause, and a member named in --write-user-id can', () => {
    const acl = createChatAcl({ adminChatIds: [GROUP], allowUserIds: [5], writeUserIds: [6], adminUserIds: [7] });
    expect(authorizeSender(acl, inGroup(4), 'read')).toEqual({ ok: false, reason: 'user_not_allowlisted' });
    expect(authorizeSender(acl, inGroup(4), 'write')).toEqual({ ok: false, reason: 'user_not_allowlisted' });
    expect(authorizeSender(acl, inGroup(5), 'read')).toEqual({ ok: true });
    expect(authorizeSender(acl, inGroup(5), 'write')).toEqual({ ok: false, reason: 'user_write_permission_required' });
    expect(authorizeSender(acl, inGroup(6), 'write')).toEqual({ ok: true });
    expect(authorizeSender(acl, inGroup(6), 'admin')).toEqual({ ok: false, reason: 'user_admin_permission_required' });
    expect(authorizeSender(acl, inGroup(7), 'admin')).toEqual({ ok: true });
    expect([4, 5, 6, 7].map((u) => senderTier(acl, inGroup(u)))).toEqual([null, 'read', 'write', 'admin']);
  });

  it("a message's tier is the lower of the chat's and the user's: an admin user in a read group only reads", () => {
    const acl = createChatAcl({ allowChatIds: [GROUP], writeChatIds: [42], adminUserIds: [7] });
    expect(senderTier(acl, inGroup(7))).toBe('read');
    expect(authorizeSender(acl, inGroup(7), 'write')).toEqual({ ok: false, reason: 'write_permission_required' });
  });

  it('nothing defaults upwards for user ids: --allow-user-id alone gives read only, --write-user-id alone nobody admin', () => {
    const readers = createChatAcl({ adminChatIds: [GROUP], allowUserIds: [5] });
    expect(senderTier(readers, inGroup(5))).toBe('read');
    expect(senderTier(readers, inGroup(6))).toBeNull();
    const writers = createChatAcl({ adminChatIds: [GROUP], writeUserIds: [6] });
    expect(senderTier(writers, inGroup(6))).toBe('write');
    expect(authorizeSender(writers, inGroup(6), 'admin')).toEqual({ ok: false, reason: 'user_admin_permission_required' });
  });

  it('an anonymous sender (no user id) in a group gets no tier once user ids are set', () => {
    const acl = createChatAcl({ adminChatIds: [GROUP], adminUserIds: [7] });
    expect(authorizeSender(acl, inGroup(null), 'read')).toEqual({ ok: false, reason: 'user_not_allowlisted' });
  });

  it('private chats are decided by the chat ids alone, and a stranger chat is still chat_not_allowlisted', () => {
    const acl = createChatAcl({ adminChatIds: [GROUP, 42], adminUserIds: [7] });
    expect(authorizeSender(acl, privately(42), 'admin')).toEqual({ ok: true });
    expect(authorizeSender(acl, privately(7), 'read')).toEqual({ ok: false, reason: 'chat_not_allowlisted' });
    expect(authorizeSender(acl, { chatId: -100999, userId: 7, isGroup: true }, 'read')).toEqual({ ok: false, reason: 'chat_not_allowlisted' });
  });

  it('createChatAcl refuses a user id that is zero, negative or not an integer, naming the flag', () => {
    expect(() => createChatAcl({ allowChatIds: [1], adminUserIds: [-100123] })).toThrow(/^--admin-user-id: -100123 is not a Telegram user id/);
    expect(() => createChatAcl({ allowChatIds: [1], writeUserIds: [0] })).toThrow(/--write-user-id: 0 /);
    expect(() => createChatAcl({ allowChatIds: [1], allowUserIds: [2.5] })).toThrow(/--allow-user-id: 2.5 /);
  });
});
