import type { Db, WebhookDeliveryRow } from './schema.js';

/** A delivery to claim. `received_at` is an ISO timestamp. */
export interface NewDelivery {
  source: string;
  deliveryId: string;
  eventType: string;
  payloadSha256: string;
  receivedAt: string;
}

/** The outcome of {@link claimDelivery}. */
export type ClaimResult =
  | { claimed: true; id: number }
  | { claimed: false; existing: Pick<WebhookDeliveryRow, 'id' | 'payload_sha256' | 'outcome' | 'received_at'> };

/**
 * Claims a delivery id: inserts the row unless `(source, delivery_id)` exists. Call it inside the transaction
 * that applies the delivery's events, so a crash or an error rolls back the claim with the events and GitHub's
 * retry is processed again. Concurrent claims of one id (several webhook processes on PostgreSQL) are decided
 * by the unique key: the loser waits for the winner's commit and then sees its row.
 */
export async function claimDelivery(trx: Db, delivery: NewDelivery): Promise<ClaimResult> {
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values({
      source: delivery.source,
      delivery_id: delivery.deliveryId,
      event_type: delivery.eventType,
      payload_sha256: delivery.payloadSha256,
      received_at: delivery.receivedAt,
      outcome: null,
      detail_json: null,
    })
    .onConflict((oc) => oc.columns(['source', 'delivery_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { claimed: true, id: Number(inserted.id) };
  const existing = await trx
    .selectFrom('webhook_deliveries')
    .select(['id', 'payload_sha256', 'outcome', 'received_at'])
    .where('source', '=', delivery.source)
    .where('delivery_id', '=', delivery.deliveryId)
    .executeTakeFirst();
  if (!existing) throw new Error(`delivery ${delivery.deliveryId} conflicted but cannot be read`);
  return { claimed: false, existing: { ...existing, id: Number(existing.id) } };
}

/** Records what processing a claimed delivery did (`processed`, `ignored`, `refused`) and why. */
export async function finishDelivery(trx: Db, id: number, outcome: string, detail: Record<string, unknown>): Promise<void> {
  await trx.updateTable('webhook_deliveries').set({ outcome, detail_json: JSON.stringify(detail) }).where('id', '=', id).execute();
}

/** A stored delivery, or `undefined`. */
export async function getDelivery(db: Db, source: string, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  const row = await db.selectFrom('webhook_deliveries').selectAll().where('source', '=', source).where('delivery_id', '=', deliveryId).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/** The newest deliveries of a source, optionally with one outcome (e.g. `ignored` or `refused` for inspection). */
export async function listDeliveries(db: Db, options: { source?: string; outcome?: string; limit: number }): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('source', '=', options.source ?? 'github');
  if (options.outcome) query = query.where('outcome', '=', options.outcome);
  const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Deletes a source's deliveries received before `cutoff` (an ISO timestamp); returns how many. */
export async function deleteDeliveriesBefore(db: Db, source: string, cutoff: string): Promise<number> {
  const result = await db.deleteFrom('webhook_deliveries').where('source', '=', source).where('received_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
