#!/usr/bin/env node
// The durable floor of webhook-bench.mjs (`--durable-floors`): the least a receiver can do that verifies,
// deduplicates, applies and audits each delivery durably, with nothing else (no admission control, no metrics, no
// state machine, no roll-ups, no result details), written straight on node:http and better-sqlite3:
//   node tools/bench/src/webhook-floor.mjs --data-dir D --secret S --audit-log-file F [--thread one|worker]
// Per request: the HMAC fed chunk by chunk and compared in constant time (401 otherwise); JSON.parse (400 when not
// an object); then, in one transaction per event-loop turn (group commit, answered only after COMMIT): look the
// delivery id up (a duplicate, or 409 for another payload), find the run by repository and PR number, insert the
// check's event unless its key exists (and move the run when it is new), store the delivery row settled; then
// answer and append a JSONL audit line (written in batches every 20 ms, as agentpr-webhook does).
// `--thread worker` runs the parse and the transaction on a worker thread (bodies transferred, answers in one
// message per commit), as agentpr-webhook's default does. It serves only the bench's check_run load.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { openSync, write } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const root = resolve(import.meta.dirname, '..', '..', '..');
const Database = createRequire(join(root, 'packages', 'store', 'package.json'))('better-sqlite3');

/** One transaction over the deliveries of a turn; returns `[status, outcome, answer text]` for each, in order. */
function openDeliveryStore(file) {
  const db = new Database(file, { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const lookup = db.prepare("select payload_sha256 from webhook_deliveries where source = 'github' and delivery_id = ?");
  const findRun = db.prepare(
    `select r.run_id, s.current_state from runs r join run_states s on s.run_id = r.run_id
     where r.owner_key = ? and r.repo_key = ? and r.pr_number = ? order by r.updated_at desc, r.run_id desc limit 1`,
  );
  const insertEvent = db.prepare(
    `insert into events (run_id, event_type, idempotency_key, payload_json, applied, reason, actor, created_at, from_state, to_state)
     values (?, ?, ?, ?, 1, null, 'webhook', ?, ?, ?) on conflict (run_id, idempotency_key) do nothing returning event_id`,
  );
  const moveRun = db.prepare('update run_states set current_state = ?, updated_at = ? where run_id = ?');
  const store = db.prepare(
    "insert into webhook_deliveries (source, delivery_id, event_type, payload_sha256, received_at, outcome, detail_json) values ('github', ?, ?, ?, ?, ?, ?)",
  );
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const one = (delivery, now) => {
    let payload;
    try {
      payload = JSON.parse(Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength).toString('utf8'));
    } catch {
      return [400, 'invalid_json', '{"ok":false,"error":"invalid JSON payload"}'];
    }
    if (payload === null || typeof payload !== 'object') return [400, 'invalid_payload', '{"ok":false,"error":"payload must be a JSON object"}'];
    const fingerprint = `hmac-sha256:${delivery.hmac}`;
    const seen = lookup.get(delivery.id);
    if (seen) return seen.payload_sha256 === fingerprint ? [200, 'duplicate', '{"ok":true,"duplicate":true}'] : [409, 'conflict', '{"ok":false}'];
    const check = payload.check_run;
    const run = findRun.get(payload.repository.owner.login.toLowerCase(), payload.repository.name.toLowerCase(), check.pull_requests[0]?.number ?? -1);
    let outcome = 'ignored';
    if (run) {
      const to = check.conclusion === 'success' ? run.current_state : 'ITERATING';
      const key = `github.check:${check.check_suite.id}:${check.head_sha}:${check.conclusion}`;
      const event = JSON.stringify({ conclusion: check.conclusion, head_sha: check.head_sha, check: check.name });
      if (insertEvent.get(run.run_id, 'github.check.completed', key, event, now, run.current_state, to)) {
        if (to !== run.current_state) moveRun.run(to, now, run.run_id);
        outcome = 'processed';
      }
    }
    const detail = `{"processed":${outcome === 'processed' ? 1 : 0},"ignored":${outcome === 'processed' ? 0 : 1}}`;
    store.run(delivery.id, delivery.event, fingerprint, now, outcome, detail);
    return [200, outcome, `{"ok":true,"outcome":"${outcome}",${detail.slice(1)}`];
  };
  return (deliveries) => {
    const now = new Date().toISOString();
    begin.run();
    const answers = deliveries.map((d) => one(d, now));
    commit.run();
    return answers;
  };
}

if (!isMainThread) {
  const processBatch = openDeliveryStore(workerData.file);
  let queue = [];
  parentPort.on('message', (items) => {
    if (queue.length === 0) {
      setImmediate(() => {
        const batch = queue;
        queue = [];
        parentPort.postMessage(processBatch(batch));
      });
    }
    for (const item of items) queue.push(item);
  });
} else {
  const { values } = parseArgs({
    strict: false,
    options: { 'data-dir': { type: 'string' }, secret: { type: 'string' }, 'audit-log-file': { type: 'string' }, thread: { type: 'string', default: 'one' } },
  });
  const key = createSecretKey(Buffer.from(values.secret, 'utf8'));
  const file = join(values['data-dir'], 'agentpr.db');
  const auditFd = openSync(values['audit-log-file'], 'a');
  let auditLines = [];
  const audit = (delivery, status, outcome) => {
    if (auditLines.length === 0) {
      setTimeout(() => {
        const text = auditLines.join('');
        auditLines = [];
        write(auditFd, text, () => {});
      }, 20);
    }
    auditLines.push(`${JSON.stringify({ ts: new Date().toISOString(), delivery: delivery.id, event: delivery.event, status, outcome })}\n`);
  };
  const answer = (delivery, [status, outcome, text]) => {
    delivery.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    delivery.res.end(text);
    audit(delivery, status, outcome);
  };

  // Where the verified deliveries of a turn go: this thread's store, or the worker's.
  let submit;
  if (values.thread === 'worker') {
    const worker = new Worker(new URL(import.meta.url), { workerData: { file }, resourceLimits: { maxYoungGenerationSizeMb: 24 } });
    const waiting = [];
    // The worker answers each batch in order, in one message.
    worker.on('message', (answers) => {
      const answered = waiting.splice(0, answers.length);
      answers.forEach((a, i) => answer(answered[i], a));
    });
    let outbox = [];
    submit = (delivery) => {
      if (outbox.length === 0) {
        setImmediate(() => {
          const items = outbox;
          outbox = [];
          worker.postMessage(items, items.map((i) => i.body.buffer));
        });
      }
      waiting.push(delivery);
      let body = delivery.body;
      if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength) body = Uint8Array.prototype.slice.call(body);
      outbox.push({ id: delivery.id, event: delivery.event, hmac: delivery.hmac, body });
    };
  } else {
    const processBatch = openDeliveryStore(file);
    let queue = [];
    submit = (delivery) => {
      if (queue.length === 0) {
        setImmediate(() => {
          const batch = queue;
          queue = [];
          processBatch(batch).forEach((a, i) => answer(batch[i], a));
        });
      }
      queue.push(delivery);
    };
  }

  const SIGNATURE = /^sha256=([0-9a-f]{64})$/;
  const server = createServer((req, res) => {
    const signature = SIGNATURE.exec(req.headers['x-hub-signature-256'] ?? '')?.[1];
    const hmac = createHmac('sha256', key);
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      hmac.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('end', () => {
      const digest = hmac.digest();
      if (!signature || !timingSafeEqual(digest, Buffer.from(signature, 'hex'))) {
        res.writeHead(401, { connection: 'close' }).end();
        return;
      }
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      submit({ res, id: req.headers['x-github-delivery'], event: req.headers['x-github-event'], hmac: signature, body });
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ listening: `http://127.0.0.1:${server.address().port}/github/webhook` })));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
