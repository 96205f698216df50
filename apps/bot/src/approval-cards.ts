import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { getBotState, setBotState } from '@agentpr/store';
import type { AppContext } from '@agentpr/orchestrator';
import { botStateKeys } from './bot-state-keys.js';

/** How long a confirming tap may follow the Approve tap. */
export const CONFIRM_WINDOW_MS = 5 * 60_000;

const CardSchema = v.object({
  kind: v.literal('card'),
  request_id: v.number(),
  run_id: v.string(),
  repo: v.string(),
  head_sha: v.string(),
  /** `open` until approved or rejected through this card. */
  step: v.picklist(['open', 'approved', 'rejected']),
  pr_number: v.nullable(v.number()),
});
const ConfirmSchema = v.object({ kind: v.literal('confirm'), card_id: v.string(), expires_at: v.string(), used: v.boolean() });
const RecordSchema = v.variant('kind', [CardSchema, ConfirmSchema]);

/** An approval card as the bot keeps it: the request and head SHA its buttons are bound to. */
export type ApprovalCard = v.InferOutput<typeof CardSchema>;
/** A pending confirmation: made by the Approve tap, used by the Confirm tap, valid for {@link CONFIRM_WINDOW_MS}. */
export type CardConfirmation = v.InferOutput<typeof ConfirmSchema>;

/** A new opaque id: 72 random bits as 12 base64url characters; it names a card, never carries its data. */
export function newCardId(): string {
  return randomBytes(9).toString('base64url');
}

async function read(ctx: AppContext, botId: string, id: string): Promise<ApprovalCard | CardConfirmation | undefined> {
  const raw = await getBotState(ctx.db, botStateKeys.card(botId, id));
  if (raw === undefined) return undefined;
  try {
    const parsed = v.safeParse(RecordSchema, JSON.parse(raw));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a card or confirmation under its id. */
export async function saveCardRecord(ctx: AppContext, botId: string, id: string, record: ApprovalCard | CardConfirmation): Promise<void> {
  await setBotState(ctx.db, botStateKeys.card(botId, id), JSON.stringify(record));
}

/** Makes and stores a new card for a request bound to `headSha`; returns its id. */
export async function createCard(ctx: AppContext, botId: string, card: Omit<ApprovalCard, 'kind' | 'step' | 'pr_number'>): Promise<string> {
  const id = newCardId();
  await saveCardRecord(ctx, botId, id, { kind: 'card', step: 'open', pr_number: null, ...card });
  return id;
}

/** The card with this id, or undefined (unknown id, or the id of a confirmation). */
export async function readCard(ctx: AppContext, botId: string, id: string): Promise<ApprovalCard | undefined> {
  const record = await read(ctx, botId, id);
  return record?.kind === 'card' ? record : undefined;
}

/** The confirmation with this id, or undefined. */
export async function readConfirmation(ctx: AppContext, botId: string, id: string): Promise<CardConfirmation | undefined> {
  const record = await read(ctx, botId, id);
  return record?.kind === 'confirm' ? record : undefined;
}

/** Makes and stores a confirmation of `cardId`, valid for {@link CONFIRM_WINDOW_MS}; returns its id. */
export async function createConfirmation(ctx: AppContext, botId: string, cardId: string): Promise<string> {
  const id = newCardId();
  await saveCardRecord(ctx, botId, id, { kind: 'confirm', card_id: cardId, expires_at: new Date(ctx.clock().getTime() + CONFIRM_WINDOW_MS).toISOString(), used: false });
  return id;
}
