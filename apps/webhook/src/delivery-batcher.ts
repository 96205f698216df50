import { handleWebhookDeliveries, type DeliveryContext, type WebhookDeliveryInput, type WebhookDeliveryResult } from '@agentpr/orchestrator';
import type { DeliveryExecutor } from '@agentpr/store';

/** Largest number of deliveries committed in one transaction. */
export const MAX_BATCH = 64;

/**
 * Group commit: deliveries that arrive while a transaction is running are processed together in the next one,
 * so the per-transaction cost is shared under load and a lone delivery still starts at once. Each promise
 * resolves after its batch committed (or rolled back), never before.
 */
export function deliveryBatcher(ctx: DeliveryContext, store: DeliveryExecutor): (input: WebhookDeliveryInput) => Promise<WebhookDeliveryResult> {
  let queue: Array<{ input: WebhookDeliveryInput; resolve: (r: WebhookDeliveryResult) => void }> = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      let results: WebhookDeliveryResult[];
      try {
        results = await handleWebhookDeliveries(ctx, batch.map((b) => b.input), store);
      } catch (error) {
        const message = `unhandled webhook error: ${(error as Error).message}`;
        results = batch.map((b) => ({ kind: 'failed', deliveryId: b.input.deliveryId, eventName: b.input.eventName, error: message }));
      }
      batch.forEach((b, i) => b.resolve(results[i]!));
    }
    running = false;
  };
  return (input) =>
    new Promise((resolve) => {
      queue.push({ input, resolve });
      if (!running) {
        running = true;
        // Start after this I/O phase: the store's SQLite calls are synchronous, so a batch started now would run
        // before the other requests already read in this phase could join it.
        setImmediate(() => void drain());
      }
    });
}
