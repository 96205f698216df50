/// <reference lib="es2024.sharedmemory" />
import { Worker } from 'node:worker_threads';
import type { Logger } from '@agentpr/orchestrator';
import type { DeliveryChannel } from './delivery-channel.js';
import { decodeAnswer, deliveryRecordBound, encodeDelivery, type ReadDelivery } from './delivery-codec.js';
import { unprocessed, type ProcessedDelivery } from './delivery-processor.js';
import type { DeliveryWorkerData, FromDeliveryWorker } from './delivery-worker-protocol.js';
import { allocateRing, ringReader, RingWord, ringWriter, type RingReader, type RingWriter } from './shared-ring.js';

/**
 * The worker's heap: the young generation holds the parsed payloads of a batch (up to 64 of ~50 KB each), so
 * they die young instead of being promoted; the old generation holds little but code and the statement cache. Both
 * bounded. The young generation is V8's size for a busy thread (8 MB semi-spaces): at 4 MB a parsed 11 KB payload
 * cost ~40 µs more per delivery in scavenges than it does here (measured), and an idle thread never grows it.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 64 };

/** The answer ring: answers are a few hundred bytes; a larger one goes as a message. */
const ANSWER_RING_BYTES = 1 << 20;

/** One started worker with its rings. */
interface Connection {
  worker: Worker;
  requests: RingWriter;
  answers: RingReader;
  /** A wait for answers is armed (`Atomics.waitAsync`). */
  armed: boolean;
}

/** Options of {@link startDeliveryWorker}. */
export interface DeliveryWorkerOptions {
  script: URL;
  sqlitePath: string;
  log: Logger;
  /** The largest body the server accepts: the request ring holds at least two. */
  maxPayloadBytes: number;
}

/**
 * Starts the delivery worker thread on the store's SQLite file and resolves once its connection is open (a
 * connection that cannot open rejects, so the server does not start). Deliveries go to it through a shared
 * request ring (the body's chunks copied in as read, never joined) and answers come back through a shared answer
 * ring: no message per delivery, and a thread is woken only when it sleeps — the worker when it waits on an empty
 * ring (`Atomics.notify`, deferred to the end of this turn so the turn's deliveries go together), this thread when
 * it waits for answers (`Atomics.waitAsync`). A delivery that does not fit waits here until answers free the ring.
 * If the worker dies, what it had pending is answered 500 (its transaction rolled back with it, so GitHub's
 * redelivery is processed) and a new worker, with new rings, takes the next deliveries.
 */
export async function startDeliveryWorker(options: DeliveryWorkerOptions): Promise<DeliveryChannel> {
  const pending = new Map<number, (answer: ProcessedDelivery) => void>();
  /** Deliveries not yet in the ring (it was full). */
  let backlog: Array<{ id: number; delivery: ReadDelivery }> = [];
  let seq = 0;
  let closing = false;
  let active: Connection | undefined;
  let starting: Promise<Connection | undefined> | undefined;
  let wakeScheduled = false;
  const requestRingBytes = Math.max(4 << 20, 2 * (options.maxPayloadBytes + 1024) + 8);

  const settle = (id: number, answer: ProcessedDelivery) => {
    const resolve = pending.get(id);
    pending.delete(id);
    resolve?.(answer);
  };
  /** Reads every published answer; frees their ring space, so the backlog may follow. */
  const drain = (c: Connection) => {
    let record = c.answers.next();
    if (!record) return;
    for (; record; record = c.answers.next()) {
      const { id, answer } = decodeAnswer(c.answers.bytes, record[0]);
      settle(id, answer);
    }
    c.answers.release();
  };
  /** Waits for answers while any are pending: the worker wakes this thread only through this wait. */
  const arm = (c: Connection) => {
    while (!c.armed && active === c && pending.size > backlog.length) {
      Atomics.store(c.answers.control, RingWord.ConsumerSleeps, 1);
      const wait = Atomics.waitAsync(c.answers.control, RingWord.Written, c.answers.position());
      if (!wait.async) {
        drain(c);
        pump(c);
        continue;
      }
      c.armed = true;
      void wait.value.then(() => {
        c.armed = false;
        if (active !== c) return;
        drain(c);
        pump(c);
        arm(c);
      });
    }
  };
  const wake = () => {
    wakeScheduled = false;
    const c = active;
    if (c && Atomics.load(c.requests.control, RingWord.ConsumerSleeps) === 1) Atomics.notify(c.requests.control, RingWord.Written);
  };
  /** Moves the backlog into the request ring as far as it fits; wakes the worker at the end of the turn if it sleeps. */
  const pump = (c: Connection) => {
    let moved = 0;
    for (const item of backlog) {
      const bound = deliveryRecordBound(item.delivery);
      const offset = c.requests.reserve(bound);
      if (offset < 0) break;
      c.requests.commit(encodeDelivery(c.requests.bytes, offset, item.id, item.delivery));
      moved++;
    }
    if (moved === 0) return;
    backlog = moved === backlog.length ? [] : backlog.slice(moved);
    if (!wakeScheduled && Atomics.load(c.requests.control, RingWord.ConsumerSleeps) === 1) {
      wakeScheduled = true;
      setImmediate(wake);
    }
    arm(c);
  };

  const spawn = () =>
    new Promise<Connection>((resolve, reject) => {
      const requests = allocateRing(requestRingBytes);
      const answers = allocateRing(ANSWER_RING_BYTES);
      const data: DeliveryWorkerData = { sqlitePath: options.sqlitePath, actor: 'webhook', requests, answers };
      const worker = new Worker(options.script, { workerData: data, resourceLimits: WORKER_LIMITS });
      const c: Connection = { worker, requests: ringWriter(requests), answers: ringReader(answers), armed: false };
      let ready = false;
      worker.on('message', (message: FromDeliveryWorker) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            active = c;
            resolve(c);
            return;
          case 'answers':
            for (const { id, answer } of message.items) settle(id, answer);
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
        if (active !== c) return;
        active = undefined;
        drain(c);
        const lost = [...pending.keys()].filter((id) => !backlog.some((b) => b.id === id));
        for (const id of lost) settle(id, unprocessed('unhandled webhook error: the delivery worker stopped; retry'));
        if (backlog.length > 0 && !closing) void restart();
      });
    });
  /** A new worker for the backlog (and the next deliveries); a failed start answers the backlog 500. */
  const restart = async () => {
    starting ??= spawn()
      .catch((error: unknown) => {
        options.log.error('cannot start the delivery worker', { error: (error as Error).message });
        return undefined;
      })
      .finally(() => {
        starting = undefined;
      });
    const c = await starting;
    if (c) return pump(c);
    const items = backlog;
    backlog = [];
    for (const { id } of items) settle(id, unprocessed('unhandled webhook error: the delivery worker is not running; retry'));
  };
  await spawn();
  return {
    kind: 'worker',
    submit(delivery) {
      const id = ++seq;
      return new Promise<ProcessedDelivery>((resolve) => {
        pending.set(id, resolve);
        backlog.push({ id, delivery });
        if (active) pump(active);
        else if (!closing) void restart();
      });
    },
    async close() {
      closing = true;
      const c = active;
      if (!c) return;
      const exited = new Promise<void>((resolve) => c.worker.once('exit', () => resolve()));
      Atomics.store(c.requests.control, RingWord.Closed, 1);
      Atomics.notify(c.requests.control, RingWord.Written);
      await exited;
    },
  };
}
