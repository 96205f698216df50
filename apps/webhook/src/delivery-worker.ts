/**
 * The delivery worker thread (bundled as `dist/delivery-worker.js`): owns a dedicated SQLite connection and runs
 * {@link processDeliveryBatch} over the verified deliveries the webhook's HTTP thread writes into the request
 * ring, so parsing, fingerprinting and the group-committed transactions never hold up the event loop that reads
 * requests. It takes every delivery waiting (up to {@link MAX_BATCH}) into one transaction, and sleeps on the
 * ring (`Atomics.wait`) only when it is empty: while it works, the HTTP thread hands over without waking it.
 * Answers go into the answer ring only after the transaction that stored them committed; the HTTP thread is
 * woken only when it asked to be (it is waiting for answers and not already awake).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '@agentpr/orchestrator';
import { openSqliteDeliveryWriter } from '@agentpr/store';
import { MAX_BATCH } from './delivery-batcher.js';
import { answerRecordBound, decodeDelivery, encodeAnswer, rollupsJson } from './delivery-codec.js';
import { processDeliveryBatch, type ProcessedDelivery, type VerifiedDelivery } from './delivery-processor.js';
import type { DeliveryWorkerData, FromDeliveryWorker } from './delivery-worker-protocol.js';
import { ringReader, RingWord, ringWriter } from './shared-ring.js';

const port = parentPort;
if (!port) throw new Error('delivery-worker.js runs as a worker thread of the webhook server');
const data = workerData as DeliveryWorkerData;
const post = (message: FromDeliveryWorker) => port.postMessage(message);
const log: Logger = {
  info: (message, fields) => post({ type: 'log', level: 'info', message, fields }),
  warn: (message, fields) => post({ type: 'log', level: 'warn', message, fields }),
  error: (message, fields) => post({ type: 'log', level: 'error', message, fields }),
};
// This thread is the writer's own: SQLite's autocheckpoint in its commits holds up no request reading.
const writer = openSqliteDeliveryWriter(data.sqlitePath, { checkpoints: 'inline' });
const ctx = { clock: () => new Date(), actor: data.actor, log };
const requests = ringReader(data.requests);
const answers = ringWriter(data.answers);

/** Sleeps until the HTTP thread writes a delivery (or a second passes, to look at `Closed` again). */
function sleepForRequests(): void {
  Atomics.store(requests.control, RingWord.ConsumerSleeps, 1);
  // Returns at once if a record was published since the ring was found empty (the flag was not seen yet).
  Atomics.wait(requests.control, RingWord.Written, requests.position(), 1_000);
  Atomics.store(requests.control, RingWord.ConsumerSleeps, 0);
}

/** Wakes the HTTP thread if it is waiting for answers (once per wait: it clears the flag). */
function wakeServer(): void {
  if (Atomics.compareExchange(answers.control, RingWord.ConsumerSleeps, 1, 0) === 1) Atomics.notify(answers.control, RingWord.Written);
}

function writeAnswer(id: number, answer: ProcessedDelivery): void {
  const rollups = rollupsJson(answer);
  const bound = answerRecordBound(answer, rollups);
  if (bound > answers.maxRecord) return post({ type: 'answers', items: [{ id, answer }] });
  let offset = answers.reserve(bound);
  while (offset < 0) {
    // The ring is full: the HTTP thread has answers to read; wake it and wait for it to release some.
    Atomics.store(answers.control, RingWord.ConsumerSleeps, 0);
    Atomics.notify(answers.control, RingWord.Written);
    Atomics.wait(answers.control, RingWord.Released, Atomics.load(answers.control, RingWord.Released), 10);
    offset = answers.reserve(bound);
  }
  answers.commit(encodeAnswer(answers.bytes, offset, id, answer, rollups));
}

async function serve(): Promise<void> {
  for (;;) {
    const ids: number[] = [];
    const batch: VerifiedDelivery[] = [];
    for (let record = requests.next(); record; record = batch.length < MAX_BATCH ? requests.next() : undefined) {
      const { id, delivery } = decodeDelivery(requests.bytes, record[0]);
      ids.push(id);
      batch.push(delivery);
    }
    if (batch.length === 0) {
      if (Atomics.load(requests.control, RingWord.Closed) === 1) return;
      sleepForRequests();
      continue;
    }
    const processed = await processDeliveryBatch(ctx, writer, batch);
    // The bodies (views of the ring) are no longer read: their bytes go back to the HTTP thread.
    requests.release();
    for (let i = 0; i < ids.length; i++) writeAnswer(ids[i]!, processed[i]!);
    wakeServer();
  }
}

post({ type: 'ready' });
// From the next turn on, this thread runs `serve` and nothing else: it sleeps in Atomics.wait, not in the event loop.
setImmediate(() => void serve().then(
  () => {
    writer.close();
    port.close();
  },
  (error: unknown) => {
    log.error('the delivery worker stopped', { error: (error as Error).message });
    writer.close();
    port.close();
  },
));
