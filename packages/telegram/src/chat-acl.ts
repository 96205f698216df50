import { TelegramError } from './errors.js';

/** Permission tiers of bot commands. */
export type Tier = 'read' | 'write' | 'admin';

/** The tier of each known command. Unknown commands count as `read`: their reply only points to /help. */
export const COMMAND_TIERS: Readonly<Record<string, Tier>> = Object.freeze({
  start: 'read',
  help: 'read',
  list: 'read',
  show: 'read',
  status: 'read',
  pending_pr: 'read',
  inbox: 'read',
  pause: 'write',
  resume: 'write',
  retry: 'write',
  approve_pr: 'admin',
});

const TIER_RANK: Record<Tier, number> = { read: 1, write: 2, admin: 3 };

/** The tier a command needs; unknown commands need `read`. */
export function commandTier(name: string): Tier {
  return Object.hasOwn(COMMAND_TIERS, name) ? COMMAND_TIERS[name]! : 'read';
}

/**
 * The ids given on the command line: chats (`--allow-chat-id`, `--write-chat-id`, `--admin-chat-id`,
 * `--allow-any-chat`) and, for group chats, people (`--allow-user-id`, `--write-user-id`, `--admin-user-id`).
 */
export interface ChatAclOptions {
  allowChatIds?: readonly number[] | undefined;
  writeChatIds?: readonly number[] | undefined;
  adminChatIds?: readonly number[] | undefined;
  /** Development only: every chat gets the read tier. Never grants write or admin. */
  allowAnyChat?: boolean | undefined;
  /** People who may use the read commands inside group chats (if the group may). */
  allowUserIds?: readonly number[] | undefined;
  /** People who may also use the write commands inside group chats (if the group may). */
  writeUserIds?: readonly number[] | undefined;
  /** People who may use every command inside group chats (if the group may). */
  adminUserIds?: readonly number[] | undefined;
}

/** Tier sets over ids; each set contains the next one (`admin` ⊆ `write` ⊆ `allowed`). */
export interface TierSets {
  /** Ids with at least the read tier. */
  readonly allowed: ReadonlySet<number>;
  /** Ids with at least the write tier. */
  readonly write: ReadonlySet<number>;
  /** Ids with the admin tier. */
  readonly admin: ReadonlySet<number>;
}

/** Resolved chat sets, and the user sets when any `--*-user-id` is given. Build with {@link createChatAcl}. */
export interface ChatAcl extends TierSets {
  readonly allowAnyChat: boolean;
  /** Admin chats also receive notifications. */
  readonly admin: ReadonlySet<number>;
  /**
   * People's tiers inside group chats; `null` when no user id flag was given (every member then has the group's
   * tier). Unlike the chat sets nothing defaults upwards: each flag grants its own tier and the ones below.
   */
  readonly users: TierSets | null;
}

/** Who sent a message or tapped a button. */
export interface Sender {
  chatId: number;
  /** `from.id`; `null` when Telegram names no person (an anonymous group admin, a post on behalf of a chat). */
  userId: number | null;
  /** A group or supergroup (or any chat with a negative id): every member can write in it. */
  isGroup: boolean;
}

/** Why a sender may not run a command. The `user_` reasons come from the user ids, the others from the chat ids. */
export type AclDenyReason =
  | 'chat_not_allowlisted'
  | 'write_permission_required'
  | 'admin_permission_required'
  | 'user_not_allowlisted'
  | 'user_write_permission_required'
  | 'user_admin_permission_required';

function checkIds(flag: string, ids: readonly number[] | undefined, kind: 'chat' | 'user'): number[] {
  const out: number[] = [];
  for (const id of ids ?? []) {
    if (kind === 'chat' && (!Number.isSafeInteger(id) || id === 0)) {
      throw new TelegramError('invalid_config', `${flag}: ${String(id)} is not a Telegram chat id; use the integer id of the chat (negative for groups).`);
    }
    if (kind === 'user' && (!Number.isSafeInteger(id) || id <= 0)) {
      throw new TelegramError('invalid_config', `${flag}: ${String(id)} is not a Telegram user id; use the positive integer id of the person (from.id), not a group id.`);
    }
    out.push(id);
  }
  return out;
}

/** The chat sets per tier: write defaults to the allow ids and admin to write. */
function chatSets(allow: number[], writeIds: number[], adminIds: number[]): TierSets {
  const write = new Set(writeIds.length > 0 ? writeIds : allow);
  const admin = new Set(adminIds.length > 0 ? adminIds : write);
  for (const id of admin) write.add(id);
  const allowed = new Set([...allow, ...write, ...admin]);
  return { allowed, write, admin };
}

/**
 * Builds the chat sets per tier (read, write, admin). `write` defaults to the allow ids and `admin` to `write` when no ids are
 * given for them. A chat named in the write or admin ids is also allowed (naming it is explicit consent).
 * With `allowAnyChat` and no ids, every chat can read and nobody can write or approve. The user ids,
 * when any is given, build a second set that caps each person's tier in group chats
 * (see {@link senderTier}); there each flag grants exactly its tier and the ones below it, nothing defaults
 * upwards, and a member named in none of them has no tier. Throws `invalid_config` when no chat id is given and `allowAnyChat` is off, or for
 * an id of the wrong shape (chat ids are non-zero, user ids positive).
 *
 * @example
 * const acl = createChatAcl({ allowChatIds: [111, -100222], adminChatIds: [111, -100222], adminUserIds: [111] });
 * authorizeSender(acl, { chatId: -100222, userId: 333, isGroup: true }, 'read') // → { ok: false, reason: 'user_not_allowlisted' }
 */
export function createChatAcl(options: ChatAclOptions): ChatAcl {
  const allow = checkIds('--allow-chat-id', options.allowChatIds, 'chat');
  const writeIds = checkIds('--write-chat-id', options.writeChatIds, 'chat');
  const adminIds = checkIds('--admin-chat-id', options.adminChatIds, 'chat');
  const allowUsers = checkIds('--allow-user-id', options.allowUserIds, 'user');
  const writeUsers = checkIds('--write-user-id', options.writeUserIds, 'user');
  const adminUsers = checkIds('--admin-user-id', options.adminUserIds, 'user');
  const allowAnyChat = options.allowAnyChat === true;
  if (!allowAnyChat && allow.length + writeIds.length + adminIds.length === 0) {
    throw new TelegramError(
      'invalid_config',
      'no chat may use the bot: pass --allow-chat-id <chat id> (repeatable), or --allow-any-chat for local development only (read commands only).',
    );
  }
  const users: TierSets | null =
    allowUsers.length + writeUsers.length + adminUsers.length > 0
      ? { allowed: new Set([...allowUsers, ...writeUsers, ...adminUsers]), write: new Set([...writeUsers, ...adminUsers]), admin: new Set(adminUsers) }
      : null;
  return { allowAnyChat, ...chatSets(allow, writeIds, adminIds), users };
}

function tierOf(sets: TierSets, id: number): Tier | null {
  if (sets.admin.has(id)) return 'admin';
  if (sets.write.has(id)) return 'write';
  if (sets.allowed.has(id)) return 'read';
  return null;
}

/** The highest tier a chat has, or `null` when it may not use the bot at all. */
export function chatTier(acl: ChatAcl, chatId: number): Tier | null {
  return tierOf(acl, chatId) ?? (acl.allowAnyChat ? 'read' : null);
}

/**
 * The highest tier of one sender: the chat's tier, capped in a group chat by the person's tier from the user
 * ids when any was given. In a private chat the chat id is the person, so the chat ids alone decide. `null`
 * when the sender may run nothing.
 */
export function senderTier(acl: ChatAcl, sender: Sender): Tier | null {
  const chat = chatTier(acl, sender.chatId);
  if (chat === null || acl.users === null || !sender.isGroup) return chat;
  const user = sender.userId === null ? null : tierOf(acl.users, sender.userId);
  if (user === null) return null;
  return TIER_RANK[user] < TIER_RANK[chat] ? user : chat;
}

/** Decides whether `chatId` may run a command of `tier` by the chat ids alone. */
export function authorizeChat(acl: ChatAcl, chatId: number, tier: Tier): { ok: true } | { ok: false; reason: AclDenyReason } {
  return decide(chatTier(acl, chatId), tier, 'chat');
}

/**
 * Decides whether a sender may run a command of `tier`: first the chat (`chat_not_allowlisted`, then the chat's
 * tier), then, in a group chat with user ids configured, the person (`user_not_allowlisted`, then the user's tier).
 *
 * @example
 * authorizeSender(acl, { chatId: 42, userId: 42, isGroup: false }, 'write') // → { ok: true } when chat 42 may write
 */
export function authorizeSender(acl: ChatAcl, sender: Sender, tier: Tier): { ok: true } | { ok: false; reason: AclDenyReason } {
  const chat = decide(chatTier(acl, sender.chatId), tier, 'chat');
  if (!chat.ok || acl.users === null || !sender.isGroup) return chat;
  return decide(sender.userId === null ? null : tierOf(acl.users, sender.userId), tier, 'user');
}

function decide(has: Tier | null, needed: Tier, by: 'chat' | 'user'): { ok: true } | { ok: false; reason: AclDenyReason } {
  const prefix = by === 'user' ? 'user_' : '';
  if (has === null) return { ok: false, reason: by === 'user' ? 'user_not_allowlisted' : 'chat_not_allowlisted' };
  if (TIER_RANK[has] >= TIER_RANK[needed]) return { ok: true };
  return { ok: false, reason: `${prefix}${needed === 'admin' ? 'admin' : 'write'}_permission_required` as AclDenyReason };
}
