import { TelegramError } from './errors.js';

/** Permission tiers of bot commands (SPEC §8.3). */
export type Tier = 'read' | 'write' | 'admin';

/** The tier of each known command. Unknown commands count as `read`: their reply only points to /help. */
export const COMMAND_TIERS: Readonly<Record<string, Tier>> = Object.freeze({
  start: 'read',
  help: 'read',
  list: 'read',
  show: 'read',
  status: 'read',
  pending_pr: 'read',
  pause: 'write',
  resume: 'write',
  retry: 'write',
  approve_pr: 'admin',
});

/** The tier a command needs; unknown commands need `read`. */
export function commandTier(name: string): Tier {
  return Object.hasOwn(COMMAND_TIERS, name) ? COMMAND_TIERS[name]! : 'read';
}

/** The chat ids given on the command line (`--allow-chat-id`, `--write-chat-id`, `--admin-chat-id`, `--allow-any-chat`). */
export interface ChatAclOptions {
  allowChatIds?: readonly number[] | undefined;
  writeChatIds?: readonly number[] | undefined;
  adminChatIds?: readonly number[] | undefined;
  /** Development only: every chat gets the read tier. Never grants write or admin (W42). */
  allowAnyChat?: boolean | undefined;
}

/** Resolved chat sets. Build with {@link createChatAcl}. */
export interface ChatAcl {
  readonly allowAnyChat: boolean;
  /** Chats that pass the first check: the allow ids plus every write and admin id. */
  readonly allowed: ReadonlySet<number>;
  /** Chats with the write tier: the write ids, else the allow ids; admins always have it. */
  readonly write: ReadonlySet<number>;
  /** Chats with the admin tier: the admin ids, else the write set. These also receive notifications. */
  readonly admin: ReadonlySet<number>;
}

/** Why a chat may not run a command. */
export type AclDenyReason = 'chat_not_allowlisted' | 'write_permission_required' | 'admin_permission_required';

function checkIds(flag: string, ids: readonly number[] | undefined): number[] {
  const out: number[] = [];
  for (const id of ids ?? []) {
    if (!Number.isSafeInteger(id) || id === 0) {
      throw new TelegramError('invalid_config', `${flag}: ${String(id)} is not a Telegram chat id; use the integer id of the chat (negative for groups).`);
    }
    out.push(id);
  }
  return out;
}

/**
 * Builds the chat sets of SPEC §8.3. `write` defaults to the allow ids and `admin` to `write` when no ids are
 * given for them. A chat named in the write or admin ids is also allowed (naming it is explicit consent).
 * With `allowAnyChat` and no ids, every chat can read and nobody can write or approve (W42). Throws
 * `invalid_config` when no chat id is given and `allowAnyChat` is off.
 *
 * @example
 * const acl = createChatAcl({ allowChatIds: [111, 222], adminChatIds: [111] });
 * authorizeChat(acl, 222, 'admin') // → { ok: false, reason: 'admin_permission_required' }
 */
export function createChatAcl(options: ChatAclOptions): ChatAcl {
  const allow = checkIds('--allow-chat-id', options.allowChatIds);
  const writeIds = checkIds('--write-chat-id', options.writeChatIds);
  const adminIds = checkIds('--admin-chat-id', options.adminChatIds);
  const allowAnyChat = options.allowAnyChat === true;
  if (!allowAnyChat && allow.length + writeIds.length + adminIds.length === 0) {
    throw new TelegramError(
      'invalid_config',
      'no chat may use the bot: pass --allow-chat-id <chat id> (repeatable), or --allow-any-chat for local development only (read commands only).',
    );
  }
  const write = new Set(writeIds.length > 0 ? writeIds : allow);
  const admin = new Set(adminIds.length > 0 ? adminIds : write);
  for (const id of admin) write.add(id);
  const allowed = new Set([...allow, ...write, ...admin]);
  return { allowAnyChat, allowed, write, admin };
}

/** Decides whether `chatId` may run a command of `tier` (SPEC §8.3). */
export function authorizeChat(acl: ChatAcl, chatId: number, tier: Tier): { ok: true } | { ok: false; reason: AclDenyReason } {
  if (!acl.allowAnyChat && !acl.allowed.has(chatId)) return { ok: false, reason: 'chat_not_allowlisted' };
  if (tier === 'write' && !acl.write.has(chatId)) return { ok: false, reason: 'write_permission_required' };
  if (tier === 'admin' && !acl.admin.has(chatId)) return { ok: false, reason: 'admin_permission_required' };
  return { ok: true };
}

/** The highest tier a chat has, or `null` when it may not use the bot at all. */
export function chatTier(acl: ChatAcl, chatId: number): Tier | null {
  if (acl.admin.has(chatId)) return 'admin';
  if (acl.write.has(chatId)) return 'write';
  if (acl.allowAnyChat || acl.allowed.has(chatId)) return 'read';
  return null;
}
