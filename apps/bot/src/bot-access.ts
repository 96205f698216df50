import type { AclDenyReason, ParsedCommand } from '@agentpr/telegram';
import type { BotReply } from './bot-commands.js';
import type { BotSession } from './bot-session.js';

/** A plain-word message, handled like a read command named `ask`. */
export const QUESTION: ParsedCommand = { kind: 'command', name: 'ask', args: [] };

/** The reply to an allowed chat (or group member) asking above its tier. Strangers never get one. */
export function permissionText(command: string, reason: AclDenyReason): string {
  switch (reason) {
    case 'chat_not_allowlisted':
      return `This chat may not use /${command}.`;
    case 'write_permission_required':
      return `This chat may not use /${command}: it needs write permission (--write-chat-id).`;
    case 'admin_permission_required':
      return `This chat may not use /${command}: it needs admin permission (--admin-chat-id).`;
    case 'user_not_allowlisted':
      return `You may not use this bot in this group: your user id is in none of --allow-user-id, --write-user-id, --admin-user-id.`;
    case 'user_write_permission_required':
      return `You may not use /${command} in this group: it needs your user id in --write-user-id.`;
    case 'user_admin_permission_required':
      return `You may not use /${command} in this group: it needs your user id in --admin-user-id.`;
    default: {
      const never: never = reason;
      return never;
    }
  }
}

/** The request text for the audit log; the arguments of /approve_pr are withheld because one is the confirm token. */
export function auditRequestText(parsed: ParsedCommand, text: string): string {
  if (parsed.name !== 'approve_pr') return text;
  if (parsed.kind !== 'command' || parsed.args.length === 0) return parsed.kind === 'command' ? '/approve_pr' : '/approve_pr <redacted>';
  return parsed.args.length >= 2 ? `/approve_pr ${parsed.args[0]} <redacted>` : '/approve_pr <redacted>';
}

/** What the audit log records of an answered command or tap. */
export interface AnsweredEntry {
  updateId: number;
  chatId: number;
  command: string;
  request: string;
  reply: BotReply;
  /** Why sending the reply failed, or `null` when it was sent (or not sent by design). */
  sendError: string | null;
}

/** Writes an answered command's audit line; a failed send turns the outcome into `send_error`. */
export function recordReply(session: BotSession, entry: AnsweredEntry): void {
  const { reply, sendError } = entry;
  const base = `${reply.outcome}${reply.detail ? `: ${reply.detail}` : ''}`;
  session.audit.command({
    update_id: entry.updateId,
    chat_id: entry.chatId,
    command: entry.command,
    outcome: sendError ? 'send_error' : reply.outcome,
    detail: sendError ? `${base}; send failed: ${sendError}` : reply.detail,
    request_text: entry.request,
    response_text: reply.text,
  });
}

/**
 * A stranger's attempt: never answered, and decided by the stranger budget before the global limiter is
 * consulted, so it cannot use up the allowed chats' capacity. Its audit line is sampled.
 */
export function recordStranger(session: BotSession, updateId: number, chatId: number, command: string, request: string): void {
  const { summary, limiter, strangerAudit } = session;
  summary.strangerAttempts++;
  const at = session.now();
  const decision = limiter.check(chatId, false, at).ok ? strangerAudit.admit(chatId, at) : strangerAudit.skip();
  summary.strangerUnaudited = strangerAudit.unaudited;
  if (!decision.write) return;
  session.audit.command({
    update_id: updateId,
    chat_id: chatId,
    command,
    outcome: 'unauthorized',
    detail: 'chat_not_allowlisted',
    request_text: request,
    response_text: '',
    unaudited_since_last: decision.unauditedSinceLast,
  });
}
