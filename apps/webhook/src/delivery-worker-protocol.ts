import type { Logger } from '@agentpr/orchestrator';
import type { ProcessedDelivery } from './delivery-processor.js';
import type { RingMemory } from './shared-ring.js';

/** What the delivery worker is started with. */
export interface DeliveryWorkerData {
  /** The store's SQLite file. */
  sqlitePath: string;
  /** The actor its events are recorded as. */
  actor: 'webhook';
  /** Deliveries, HTTP thread → worker (delivery-codec.ts records); its `Closed` word asks the worker to finish. */
  requests: RingMemory;
  /** Answers, worker → HTTP thread. */
  answers: RingMemory;
}

/** An answer from the worker, with the number of its delivery. */
export interface NumberedAnswer {
  id: number;
  answer: ProcessedDelivery;
}

/**
 * Messages from the worker: ready (its connection is open), a log line for the server's logger, or an answer too
 * large for the answer ring (never in practice: answers are a few hundred bytes). Deliveries and answers otherwise
 * go through the shared rings, not messages: a message costs a structured clone and a wake-up of the other thread.
 */
export type FromDeliveryWorker =
  | { type: 'ready' }
  | { type: 'answers'; items: NumberedAnswer[] }
  | { type: 'log'; level: keyof Logger; message: string; fields?: Record<string, unknown> | undefined };
