import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DeliveryContext, Logger } from '@agentpr/orchestrator';
import type { DeliveryExecutor } from '@agentpr/store';
import { createDeliveryProcessor, unprocessed, type ProcessedDelivery, type VerifiedDelivery } from './delivery-processor.js';
import type { DeliveryWorkerData, FromDeliveryWorker, NumberedDelivery, ToDeliveryWorker } from './delivery-worker-protocol.js';

/** Where the server hands verified deliveries: a worker thread, or the server's own thread. */
export interface DeliveryChannel {
  /** `worker` or `in-process`. */
  readonly kind: 'worker' | 'in-process';
  /** Processes one delivery; resolves after its transaction committed (or rolled back). Never rejects. */
  submit(delivery: VerifiedDelivery): Promise<ProcessedDelivery>;
  /** Ends the channel once nothing is pending (the worker closes its connection). */
  close(): Promise<void>;
}

/** Processes deliveries on the calling thread (PostgreSQL, whose work is in its server; or the sources under test). */
export function inProcessChannel(ctx: DeliveryContext, store: DeliveryExecutor): DeliveryChannel {
  const processDelivery = createDeliveryProcessor(ctx, store);
  return {
    kind: 'in-process',
    submit: (delivery) => processDelivery(delivery).catch((error: unknown) => unprocessed(`unhandled webhook error: ${(error as Error).message}`)),
    close: async () => {},
  };
}

/** The built worker script next to this module, or `undefined` when running from the TypeScript sources. */
export function deliveryWorkerScript(): URL | undefined {
  const url = new URL('./delivery-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * The worker's heap: the young generation holds the parsed payloads of a batch (up to 64 of ~50 KB each), so
 * they die young instead of being promoted; the old generation holds little but code and the statement cache. Both
 * bounded. The young generation is V8's size for a busy thread (8 MB semi-spaces): at 4 MB a parsed 11 KB payload
 * cost ~40 µs more per delivery in scavenges than it does here (measured), and an idle thread never grows it.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 64 };

/** Gives the worker a body it owns: a body that is a view of a larger (pooled) buffer is copied first. */
function ownedBody(body: Uint8Array): Uint8Array {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer ? body : body.slice();
}

/**
 * Starts the delivery worker thread on the store's SQLite file and resolves once its connection is open (a
 * connection that cannot open rejects, so the server does not start). Each delivery's body is transferred, not
 * copied. If the worker dies, what it had pending is answered 500 (its transaction rolled back with it, so
 * GitHub's redelivery is processed) and a new worker takes the next deliveries.
 */
export async function startDeliveryWorker(options: { script: URL; sqlitePath: string; log: Logger }): Promise<DeliveryChannel> {
  const pending = new Map<number, (answer: ProcessedDelivery) => void>();
  let seq = 0;
  let closing = false;
  let active: Worker | undefined;
  let starting: Promise<Worker | undefined> | undefined;
  const data: DeliveryWorkerData = { sqlitePath: options.sqlitePath, actor: 'webhook' };
  const spawn = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(options.script, { workerData: data, resourceLimits: WORKER_LIMITS });
      let ready = false;
      worker.on('message', (message: FromDeliveryWorker) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            active = worker;
            resolve(worker);
            return;
          case 'answers':
            for (const { id, answer } of message.items) {
              const settle = pending.get(id);
              pending.delete(id);
              settle?.(answer);
            }
            return;
          case 'log':
            options.log[message.level](message.message, message.fields);
            return;
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        else options.log.error('the delivery worker failed; a new one takes the next deliveries', { error: error.message });
      });
      worker.on('exit', () => {
        if (!ready) return reject(new Error('the delivery worker exited before its store connection opened'));
        if (active !== worker) return;
        active = undefined;
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle(unprocessed('unhandled webhook error: the delivery worker stopped; retry'));
        }
      });
    });
  /** The running worker; a lost one is replaced on the next delivery (and a failed restart tried again on the one after). */
  const ensure = async (): Promise<Worker | undefined> => {
    if (active || closing) return active;
    starting ??= spawn()
      .catch((error: unknown) => {
        options.log.error('cannot start the delivery worker', { error: (error as Error).message });
        return undefined;
      })
      .finally(() => {
        starting = undefined;
      });
    return starting;
  };
  await spawn();
  // The deliveries verified in one turn of the event loop go to the worker in one message.
  let outbox: NumberedDelivery[] = [];
  const flush = async () => {
    const items = outbox;
    outbox = [];
    const target = await ensure();
    if (!target) {
      for (const { id } of items) {
        pending.get(id)?.(unprocessed('unhandled webhook error: the delivery worker is not running; retry'));
        pending.delete(id);
      }
      return;
    }
    const message: ToDeliveryWorker = { type: 'deliveries', items };
    target.postMessage(message, items.map((i) => i.delivery.body.buffer as ArrayBuffer));
  };
  return {
    kind: 'worker',
    submit(delivery) {
      const id = ++seq;
      return new Promise<ProcessedDelivery>((resolve) => {
        pending.set(id, resolve);
        if (outbox.length === 0) setImmediate(() => void flush());
        outbox.push({ id, delivery: { ...delivery, body: ownedBody(delivery.body) } });
      });
    },
    async close() {
      closing = true;
      const target = active;
      if (!target) return;
      const exited = new Promise<void>((resolve) => target.once('exit', () => resolve()));
      const message: ToDeliveryWorker = { type: 'close' };
      target.postMessage(message);
      await exited;
    },
  };
}
