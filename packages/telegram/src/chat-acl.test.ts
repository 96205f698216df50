import { describe, expect, it } from 'vitest';
import { authorizeChat, chatTier, commandTier, createChatAcl } from './chat-acl.js';
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

  it('W42: --allow-any-chat without ids gives every chat read and nobody write or admin', () => {
    const acl = createChatAcl({ allowAnyChat: true });
    expect(authorizeChat(acl, 999, 'read')).toEqual({ ok: true });
    expect(authorizeChat(acl, 999, 'write')).toEqual({ ok: false, reason: 'write_permission_required' });
    expect(authorizeChat(acl, 999, 'admin')).toEqual({ ok: false, reason: 'admin_permission_required' });
    expect(acl.admin.size).toBe(0);
  });

  it('W42: --allow-any-chat with an admin id gives admin only to that chat', () => {
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
