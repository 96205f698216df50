/**
 * The delivery worker thread (bundled as `dist/delivery-worker.js`): owns a dedicated SQLite connection and runs
 * {@link createDeliveryProcessor} for the verified deliveries the webhook's HTTP thread hands it, so parsing,
 * fingerprinting and the group-committed transactions never hold up the event loop that reads requests. Answers
 * go back only after the transaction that stored them committed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '@agentpr/orchestrator';
import { openSqliteDeliveryWriter } from '@agentpr/store';
import { createDeliveryProcessor, unprocessed } from './delivery-processor.js';
import type { DeliveryWorkerData, FromDeliveryWorker, NumberedAnswer, ToDeliveryWorker } from './delivery-worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('delivery-worker.js runs as a worker thread of the webhook server');
const { sqlitePath, actor } = workerData as DeliveryWorkerData;
const post = (message: FromDeliveryWorker) => port.postMessage(message);
const log: Logger = {
  info: (message, fields) => post({ type: 'log', level: 'info', message, fields }),
  warn: (message, fields) => post({ type: 'log', level: 'warn', message, fields }),
  error: (message, fields) => post({ type: 'log', level: 'error', message, fields }),
};
// This thread is the writer's own: SQLite's autocheckpoint in its commits holds up no request reading.
const writer = openSqliteDeliveryWriter(sqlitePath, { checkpoints: 'inline' });
const processDelivery = createDeliveryProcessor({ clock: () => new Date(), actor, log }, writer);
// The answers of one group commit settle together; they go back in one message.
let answers: NumberedAnswer[] = [];
const answer = (item: NumberedAnswer) => {
  if (answers.length === 0) setImmediate(() => {
    const items = answers;
    answers = [];
    post({ type: 'answers', items });
  });
  answers.push(item);
};
port.on('message', (message: ToDeliveryWorker) => {
  if (message.type === 'close') {
    writer.close();
    port.close();
    return;
  }
  for (const { id, delivery } of message.items) {
    processDelivery(delivery).then(
      (processed) => answer({ id, answer: processed }),
      (error: unknown) => answer({ id, answer: unprocessed(`unhandled webhook error: ${(error as Error).message}`) }),
    );
  }
});
post({ type: 'ready' });
