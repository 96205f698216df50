import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DeliveryContext } from '@agentpr/orchestrator';
import type { DeliveryExecutor } from '@agentpr/store';
import type { ReadDelivery } from './delivery-codec.js';
import { createDeliveryProcessor, unprocessed, type ProcessedDelivery } from './delivery-processor.js';

export { startDeliveryWorker } from './delivery-worker-channel.js';

/** Where the server hands verified deliveries: a worker thread, or the server's own thread. */
export interface DeliveryChannel {
  /** `worker` or `in-process`. */
  readonly kind: 'worker' | 'in-process';
  /** Processes one delivery; resolves after its transaction committed (or rolled back). Never rejects. */
  submit(delivery: ReadDelivery): Promise<ProcessedDelivery>;
  /** Ends the channel once nothing is pending (the worker closes its connection). */
  close(): Promise<void>;
}

/** Processes deliveries on the calling thread (PostgreSQL, whose work is in its server; or the sources under test). */
export function inProcessChannel(ctx: DeliveryContext, store: DeliveryExecutor): DeliveryChannel {
  const processDelivery = createDeliveryProcessor(ctx, store);
  return {
    kind: 'in-process',
    submit: ({ deliveryId, eventName, chunks, size, digests }) => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const hmacs = digests.length > 0 ? digests.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex')) : undefined;
      return processDelivery({ deliveryId, eventName, body, hmacs }).catch((error: unknown) => unprocessed(`unhandled webhook error: ${(error as Error).message}`));
    },
    close: async () => {},
  };
}

/** The built worker script next to this module, or `undefined` when running from the TypeScript sources. */
export function deliveryWorkerScript(): URL | undefined {
  const url = new URL('./delivery-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
