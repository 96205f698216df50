import type { Logger } from '@agentpr/orchestrator';
import type { ProcessedDelivery, VerifiedDelivery } from './delivery-processor.js';

/** What the delivery worker is started with. */
export interface DeliveryWorkerData {
  /** The store's SQLite file. */
  sqlitePath: string;
  /** The actor its events are recorded as. */
  actor: 'webhook';
}

/** A delivery handed to the worker, numbered for its answer. */
export interface NumberedDelivery {
  id: number;
  delivery: VerifiedDelivery;
}

/** An answer from the worker, with the number of its delivery. */
export interface NumberedAnswer {
  id: number;
  answer: ProcessedDelivery;
}

/**
 * Messages to the worker: the deliveries verified in one turn of the event loop (bodies transferred), or the request
 * to close. One message per turn, not per delivery: a message costs a wake-up of the other thread.
 */
export type ToDeliveryWorker = { type: 'deliveries'; items: NumberedDelivery[] } | { type: 'close' };

/** Messages from the worker: ready (its connection is open), an answer, or a log line for the server's logger. */
export type FromDeliveryWorker =
  | { type: 'ready' }
  | { type: 'answers'; items: NumberedAnswer[] }
  | { type: 'log'; level: keyof Logger; message: string; fields?: Record<string, unknown> | undefined };
