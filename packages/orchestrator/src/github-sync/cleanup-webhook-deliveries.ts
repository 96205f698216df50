import { deleteDeliveriesBefore, iso } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** What {@link cleanupWebhookDeliveries} removed. */
export interface CleanupWebhookDeliveriesResult {
  ok: true;
  source: string;
  keep_days: number;
  deleted: number;
}

/**
 * Deletes webhook delivery rows older than `keepDays`. A delivery id GitHub redelivers after that
 * is processed again, so keep at least as long as redeliveries can happen (GitHub keeps deliveries 30 days).
 *
 * @example
 * await cleanupWebhookDeliveries(ctx, { keepDays: 30 }) // → { ok: true, source: 'github', keep_days: 30, deleted: 12 }
 */
export async function cleanupWebhookDeliveries(
  ctx: AppContext,
  input: { source?: string | undefined; keepDays?: number | undefined },
): Promise<CleanupWebhookDeliveriesResult> {
  const source = input.source?.trim() || 'github';
  const keepDays = input.keepDays ?? 30;
  if (!Number.isInteger(keepDays) || keepDays < 1) throw new AgentprError('usage', `--keep-days must be an integer of at least 1 (got ${keepDays}).`);
  const cutoff = iso(new Date(ctx.clock().getTime() - keepDays * 86_400_000));
  const deleted = await deleteDeliveriesBefore(ctx.db, source, cutoff);
  return { ok: true, source, keep_days: keepDays, deleted };
}
