import { createHash, randomBytes } from 'node:crypto';
import { insertAssistantAction, iso } from '@agentpr/store';
import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import type { PendingAction, Requester } from './ask-types.js';

/**
 * A confirm token: 16 random bytes (128 bits, out of reach of guessing within its few minutes of life), written
 * base64url in 22 characters so it fits Telegram's 64-byte `callback_data` with room to spare.
 */
export function newConfirmToken(): string {
  return randomBytes(16).toString('base64url');
}

/** What is stored of a token: its SHA-256 in hex. The token itself never reaches the store or the audit. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The shape of a token {@link newConfirmToken} makes; anything else is unknown without a store lookup. */
export const CONFIRM_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** What a pending action is made of. */
export interface NewPendingAction {
  requestId: string;
  requester: Requester;
  tool: string;
  /** The validated arguments; they are what runs on confirmation. */
  args: unknown;
  summary: string;
  ttlSec: number;
}

/**
 * Stores a write the model proposed as a pending action and returns it with its token (for the button or the
 * prompt). Arguments and summary are stored redacted; the token only as {@link tokenHash}.
 */
export async function createPendingAction(ctx: AppContext, input: NewPendingAction): Promise<PendingAction> {
  const { redact } = redactorFor(ctx);
  const token = newConfirmToken();
  const actionId = `act_${randomBytes(6).toString('hex')}`;
  const now = ctx.clock();
  const expiresAt = iso(new Date(now.getTime() + input.ttlSec * 1000));
  const summary = redact(input.summary);
  await insertAssistantAction(ctx.db, {
    action_id: actionId,
    token_sha256: tokenHash(token),
    request_id: input.requestId,
    chat_key: input.requester.chatKey,
    user_key: input.requester.userKey,
    tool: input.tool,
    args_json: redact(JSON.stringify(input.args ?? {})),
    summary,
    status: 'pending',
    created_at: iso(now),
    expires_at: expiresAt,
    decided_at: null,
    result_text: null,
  });
  return { actionId, token, tool: input.tool, summary, expiresAt };
}
