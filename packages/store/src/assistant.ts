import { sql } from 'kysely';
import type { Db } from './schema.js';

/** One question a human asked the assistant: who, which model, what it cost and how it ended. */
export interface AssistantRequestRecord {
  request_id: string;
  channel: 'telegram' | 'cli';
  chat_key: string;
  user_key: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  tool_calls: number;
  cost_usd: number;
  outcome: 'answered' | 'budget_exhausted' | 'model_unavailable';
  /** Which budget stopped the request (e.g. `daily_tokens_per_chat`), or null. */
  budget: string | null;
  created_at: string;
}

/** A write action the model proposed, waiting for (or past) a human's confirmation. */
export interface AssistantActionRecord {
  action_id: string;
  /** SHA-256 (hex) of the confirm token; the token itself is never stored. */
  token_sha256: string;
  request_id: string;
  chat_key: string;
  user_key: string;
  tool: string;
  /** The validated arguments the action runs with once confirmed (JSON). */
  args_json: string;
  summary: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  result_text: string | null;
}

/** `assistant_requests`: one row per question (migration `20261205T000000-assistant`). */
export type AssistantRequestsTable = AssistantRequestRecord;
/** `assistant_actions`: one row per proposed write action (migration `20261205T000000-assistant`). */
export type AssistantActionsTable = AssistantActionRecord;

/** Which rows {@link listAssistantRequests} and {@link assistantUsage} read. */
export interface AssistantRequestFilter {
  /** Only rows created at or after this ISO time. */
  since?: string;
  /** Only this chat. */
  chatKey?: string;
}

function normaliseRequest(row: AssistantRequestRecord): AssistantRequestRecord {
  return {
    ...row,
    input_tokens: Number(row.input_tokens),
    output_tokens: Number(row.output_tokens),
    tool_calls: Number(row.tool_calls),
    cost_usd: Number(row.cost_usd),
  };
}

/** Stores one request's accounting row. */
export async function recordAssistantRequest(db: Db, row: AssistantRequestRecord): Promise<void> {
  await db.insertInto('assistant_requests').values(row).execute();
}

/** Tokens (input + output) a chat used since `sinceIso` (inclusive): what the daily budget counts. */
export async function assistantTokensSince(db: Db, chatKey: string, sinceIso: string): Promise<number> {
  const row = await db
    .selectFrom('assistant_requests')
    .select(sql<string | number | null>`sum(input_tokens + output_tokens)`.as('tokens'))
    .where('chat_key', '=', chatKey)
    .where('created_at', '>=', sinceIso)
    .executeTakeFirst();
  return Number(row?.tokens ?? 0);
}

/** The newest requests first (at most `limit`, default 1000), optionally since a time and for one chat. */
export async function listAssistantRequests(db: Db, filter: AssistantRequestFilter & { limit?: number }): Promise<AssistantRequestRecord[]> {
  let query = db.selectFrom('assistant_requests').selectAll();
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.chatKey !== undefined) query = query.where('chat_key', '=', filter.chatKey);
  const rows = await query.orderBy('created_at', 'desc').orderBy('request_id', 'desc').limit(filter.limit ?? 1000).execute();
  return rows.map(normaliseRequest);
}

/** What {@link assistantUsage} groups by: the UTC day (`YYYY-MM-DD`), the chat or the model. */
export type AssistantUsageKey = 'day' | 'chat' | 'model';

/** Sums over a group of requests. */
export interface AssistantUsageRow {
  /** The day, chat key or model of the group. */
  key: string;
  requests: number;
  answered: number;
  budget_exhausted: number;
  model_unavailable: number;
  input_tokens: number;
  output_tokens: number;
  tool_calls: number;
  cost_usd: number;
}

function groupColumn(by: AssistantUsageKey) {
  switch (by) {
    case 'day':
      return sql<string>`substr(created_at, 1, 10)`;
    case 'chat':
      return sql<string>`chat_key`;
    case 'model':
      return sql<string>`model`;
  }
}

function countOutcome(outcome: AssistantRequestRecord['outcome']) {
  return sql<string | number>`sum(case when outcome = ${outcome} then 1 else 0 end)`;
}

/**
 * Sums of the matching requests grouped by day, chat or model, in one query however many rows match; ordered by
 * key (days ascending, chats and models alphabetically).
 */
export async function assistantUsage(db: Db, filter: AssistantRequestFilter, by: AssistantUsageKey): Promise<AssistantUsageRow[]> {
  const key = groupColumn(by);
  let query = db
    .selectFrom('assistant_requests')
    .select([
      key.as('key'),
      sql<string | number>`count(*)`.as('requests'),
      countOutcome('answered').as('answered'),
      countOutcome('budget_exhausted').as('budget_exhausted'),
      countOutcome('model_unavailable').as('model_unavailable'),
      sql<string | number>`sum(input_tokens)`.as('input_tokens'),
      sql<string | number>`sum(output_tokens)`.as('output_tokens'),
      sql<string | number>`sum(tool_calls)`.as('tool_calls'),
      sql<string | number>`sum(cost_usd)`.as('cost_usd'),
    ]);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.chatKey !== undefined) query = query.where('chat_key', '=', filter.chatKey);
  const rows = await query.groupBy(key).orderBy(key).execute();
  return rows.map((r) => ({
    key: String(r.key),
    requests: Number(r.requests),
    answered: Number(r.answered),
    budget_exhausted: Number(r.budget_exhausted),
    model_unavailable: Number(r.model_unavailable),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    tool_calls: Number(r.tool_calls),
    cost_usd: Number(r.cost_usd),
  }));
}

/** Stores a proposed action (the confirm token only as its SHA-256). */
export async function insertAssistantAction(db: Db, row: AssistantActionRecord): Promise<void> {
  await db.insertInto('assistant_actions').values(row).execute();
}

/** The action whose confirm token hashes to `tokenSha256`, or `undefined`. */
export async function getAssistantActionByTokenHash(db: Db, tokenSha256: string): Promise<AssistantActionRecord | undefined> {
  return db.selectFrom('assistant_actions').selectAll().where('token_sha256', '=', tokenSha256).executeTakeFirst();
}

/**
 * Compare-and-set: moves the action from `from` to `to` only if it is still in `from`; true when this call moved it.
 * One conditional update, so of two concurrent confirmations only one wins. `resultText` is kept when omitted.
 */
export async function settleAssistantAction(
  db: Db,
  actionId: string,
  change: { from: AssistantActionRecord['status']; to: AssistantActionRecord['status']; decidedAt: string; resultText?: string | null },
): Promise<boolean> {
  const moved = { status: change.to, decided_at: change.decidedAt };
  const set = change.resultText === undefined ? moved : { ...moved, result_text: change.resultText };
  const result = await db.updateTable('assistant_actions').set(set).where('action_id', '=', actionId).where('status', '=', change.from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
