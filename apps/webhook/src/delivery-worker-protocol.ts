import type { Logger } from '@agentpr/orchestrator';
import type { ProcessedDelivery, VerifiedDelivery } from './delivery-processor.js';

/** What the delivery worker is started with. */
export interface DeliveryWorkerData {
  /** The store's SQLite file. */
  sqlitePath: string;
  /** The actor its events are recorded as. */
  actor: 'webhook';
}

/** Messages to the worker: a delivery to process (its body transferred), or the request to close. */
export type ToDeliveryWorker = { type: 'delivery'; id: number; delivery: VerifiedDelivery } | { type: 'close' };

/** Messages from the worker: ready (its connection is open), an answer, or a log line for the server's logger. */
export type FromDeliveryWorker =
  | { type: 'ready' }
  | { type: 'answer'; id: number; answer: ProcessedDelivery }
  | { type: 'log'; level: keyof Logger; message: string; fields?: Record<string, unknown> | undefined };
