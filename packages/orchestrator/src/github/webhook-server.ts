import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { verifyWebhookSignature, type GitHubClient } from '@agentpr/github';
import { iso, kyselyDeliveryExecutor, type DeliveryExecutor } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { applyCheckRollup } from './apply-check-rollup.js';
import { openAuditLog, type AuditLog } from './audit-log.js';
import type { RollupTask } from './github-events.js';
import { handleWebhookDeliveries, type WebhookDeliveryInput, type WebhookDeliveryResult } from './handle-webhook-delivery.js';
import { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.js';

/** Options of {@link startWebhookServer} (the `run-github-webhook` / `agentpr-webhook` flags). */
export interface WebhookServerOptions {
  /** The app context; its actor should be `webhook`. */
  ctx: AppContext;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default `/github/webhook`. */
  path?: string;
  /** `--secret` / `AGENTPR_GITHUB_WEBHOOK_SECRET`. */
  secret?: string | undefined;
  /** The previous secret, still accepted while GitHub's hook is being switched to the new one. */
  previousSecret?: string | undefined;
  /** Accept unsigned deliveries when no secret is configured. Local development only. */
  allowUnsigned?: boolean;
  /** Largest accepted body; default 1 MiB, at least 1024. */
  maxPayloadBytes?: number;
  /** JSONL audit file (absolute); none when omitted. */
  auditLogFile?: string | undefined;
  auditMaxBytes?: number;
  auditKeepFiles?: number;
  /** Used for the roll-up after a successful check; without it roll-ups are audited as unavailable and sync-github decides. */
  github?: GitHubClient | undefined;
  /**
   * Runs the delivery statements; default kysely over `ctx.db`. On SQLite the apps pass
   * `openSqliteDeliveryWriter(dbPath)` (cached prepared statements) and close it after the server.
   */
  deliveryStore?: DeliveryExecutor;
  /** How long {@link WebhookServer.close} waits for in-flight work; default 10 s. */
  shutdownGraceMs?: number;
}

/** A running webhook server. */
export interface WebhookServer {
  /** `http://host:port` (without the path). */
  url: string;
  host: string;
  port: number;
  /** The normalised webhook path. */
  path: string;
  metrics: WebhookMetrics;
  /** Resolves when every scheduled roll-up has finished (tests; shutdown). */
  idle(): Promise<void>;
  /** Resolves when the audit lines written so far are on disk. */
  flushAudit(): Promise<void>;
  /** Graceful stop: refuse new requests, finish in-flight ones and roll-ups, flush the audit log. */
  close(): Promise<void>;
}

/** The default `--max-payload-bytes` (policy `github_webhook.max_payload_bytes`). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Normalises a webhook path (SPEC §7.2): no query string, a leading `/`, empty → `/`. */
export function normaliseWebhookPath(raw: string): string {
  const path = raw.split('?')[0]!.split('#')[0]!.trim();
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** Largest number of deliveries committed in one transaction. */
const MAX_BATCH = 64;

/**
 * Group commit: deliveries that arrive while a transaction is running are processed together in the next one,
 * so the per-transaction cost is shared under load and a lone delivery still starts at once.
 */
function deliveryBatcher(ctx: AppContext, store: DeliveryExecutor): (input: WebhookDeliveryInput) => Promise<WebhookDeliveryResult> {
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
        results = batch.map((b) => ({ status: 500, outcome: 'unhandled_error', body: { ok: false, event: b.input.eventName, delivery: b.input.deliveryId, error: message }, processed: 0, ignored: 0, retryableFailures: 1, error: message, rollups: [] }));
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

interface AuditFields {
  path: string;
  event: string;
  delivery: string;
  status: number;
  outcome: string;
  processed?: number;
  ignored?: number;
  retryableFailures?: number;
  error?: string;
  method?: string;
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/**
 * Starts the GitHub webhook receiver on node:http (SPEC §7.2–7.3, W33–W39). Checks run cheapest first — route,
 * method, declared size (a malformed `Content-Length` is 400), content type, required headers, presence of a
 * signature, then the body is read with the size limit enforced while reading (chunked bodies too), the
 * signature verified (current or previous secret) and the JSON parsed — each failure with its own status.
 * A good delivery is processed exactly once by {@link handleWebhookDelivery} (claim + events in one
 * transaction; 500 leaves no claim so GitHub's retry is processed). Every POST answer is audited to a rotating
 * JSONL file and counted in `/metrics`; `/healthz` answers `alive`. Roll-ups over the network run after the
 * reply, so GitHub gets its answer within its 10 s.
 *
 * @example
 * const server = await startWebhookServer({ ctx, port: 8787, secret: env.AGENTPR_GITHUB_WEBHOOK_SECRET,
 *   auditLogFile: '/var/lib/agentpr/reports/github_webhook_audit.jsonl', github });
 * process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
 */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const { ctx } = options;
  const secrets = [options.secret, options.previousSecret].filter((s): s is string => typeof s === 'string' && s.length > 0);
  const allowUnsigned = options.allowUnsigned === true;
  if (secrets.length === 0 && !allowUnsigned) {
    throw new AgentprError('config', 'no webhook secret: pass --secret or set AGENTPR_GITHUB_WEBHOOK_SECRET (the secret configured on the GitHub hook). --allow-unsigned is for local development only.');
  }
  if (secrets.length === 0) {
    ctx.log.warn('!!! WEBHOOK SIGNATURES ARE NOT CHECKED (--allow-unsigned): anyone who can reach this port can change runs. Use this for local development only. !!!');
  }
  const maxPayload = Math.max(1024, Math.trunc(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES));
  const webhookPath = normaliseWebhookPath(options.path ?? '/github/webhook');
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const metrics = createWebhookMetrics();
  const audit: AuditLog | undefined = options.auditLogFile
    ? openAuditLog(options.auditLogFile, { ...(options.auditMaxBytes ? { maxBytes: options.auditMaxBytes } : {}), ...(options.auditKeepFiles ? { keepFiles: options.auditKeepFiles } : {}) })
    : undefined;
  const rollups = new Map<string, { running: Promise<void>; again: RollupTask | null }>();
  const submitDelivery = deliveryBatcher(ctx, options.deliveryStore ?? kyselyDeliveryExecutor(ctx.db));
  let shuttingDown = false;

  const writeAudit = (f: AuditFields) => {
    audit?.write({
      ts: iso(ctx.clock()),
      method: f.method ?? 'POST',
      path: f.path,
      event: f.event,
      delivery: f.delivery,
      status_code: f.status,
      outcome: f.outcome,
      processed: f.processed ?? 0,
      ignored: f.ignored ?? 0,
      retryable_failures: f.retryableFailures ?? 0,
      error: f.error ?? '',
    });
  };

  const runRollup = (task: RollupTask, delivery: string, event: string) => {
    const key = `${task.runId}|${task.headSha}`;
    const current = rollups.get(key);
    if (current) {
      // One roll-up per head at a time; run once more afterwards, as checks may have finished meanwhile.
      current.again = task;
      return;
    }
    const entry: { running: Promise<void>; again: RollupTask | null } = { running: Promise.resolve(), again: null };
    const once = async (t: RollupTask): Promise<void> => {
      const fields = { method: 'ROLLUP', path: webhookPath, event, delivery, status: 0 };
      if (!options.github) {
        metrics.rollup('unavailable');
        writeAudit({ ...fields, outcome: 'rollup_unavailable', error: 'no GitHub access (GITHUB_TOKEN/GH_TOKEN); sync-github will decide' });
        return;
      }
      try {
        const outcome = await applyCheckRollup(ctx, options.github, t);
        const result = outcome.rollup.conclusion ?? 'pending';
        metrics.rollup(result);
        const applied = outcome.applied && !outcome.applied.duplicate && outcome.applied.applied !== false && !outcome.applied.refused ? 1 : 0;
        writeAudit({ ...fields, outcome: `rollup_${result}`, processed: applied, ignored: outcome.applied && !applied ? 1 : 0 });
      } catch (error) {
        metrics.rollup('error');
        writeAudit({ ...fields, outcome: 'rollup_error', error: (error as Error).message });
        ctx.log.warn('check roll-up failed; sync-github will decide', { run_id: t.runId, head_sha: t.headSha, error: (error as Error).message });
      }
    };
    entry.running = (async () => {
      let next: RollupTask | null = task;
      while (next) {
        entry.again = null;
        await once(next);
        next = entry.again;
      }
    })().finally(() => rollups.delete(key));
    rollups.set(key, entry);
  };

  const send = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };

  /** Answers before (all of) the body was read: close the connection, after draining what is in flight for a moment. */
  const sendAndClose = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    send(res, status, body, { connection: 'close' });
    let drained = 0;
    const cap = maxPayload * 4;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > cap) req.socket.destroy();
    });
    req.resume();
    setTimeout(() => req.socket.destroy(), 2_000).unref();
  };

  const readBody = (req: IncomingMessage): Promise<{ ok: true; body: Buffer } | { ok: false; size: number }> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const onData = (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > maxPayload) {
          done = true;
          req.off('data', onData);
          resolve({ ok: false, size });
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (!done) {
          done = true;
          resolve({ ok: true, body: Buffer.concat(chunks, size) });
        }
      });
      req.once('error', (error) => {
        if (!done) {
          done = true;
          reject(error);
        }
      });
    });

  const handlePost = async (req: IncomingMessage, res: ServerResponse, path: string, started: number) => {
    const event = header(req, 'x-github-event');
    const delivery = header(req, 'x-github-delivery');
    const finish = (status: number, outcome: string, body: Record<string, unknown>, extra: Partial<AuditFields> = {}, close = false) => {
      if (close) sendAndClose(req, res, status, body);
      else send(res, status, body);
      metrics.observe(outcome, (performance.now() - started) / 1000);
      writeAudit({ path, event, delivery, status, outcome, error: typeof body.error === 'string' ? body.error : '', ...extra });
    };
    const rawLength = req.headers['content-length'];
    if (rawLength !== undefined) {
      if (!/^\d+$/.test(rawLength.trim())) {
        return finish(400, 'invalid_content_length', { ok: false, event, delivery, error: `invalid Content-Length: ${rawLength}` }, {}, true);
      }
      const declared = Number(rawLength);
      if (declared > maxPayload) {
        return finish(413, 'payload_too_large', { ok: false, event, delivery, error: `payload too large: ${declared} bytes (max=${maxPayload})` }, {}, true);
      }
    }
    const contentType = header(req, 'content-type').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      return finish(415, 'unsupported_media_type', { ok: false, event, delivery, error: `unsupported content type: ${contentType || '(none)'}; set the GitHub hook's content type to application/json` }, {}, true);
    }
    if (!event) return finish(400, 'missing_event', { ok: false, error: 'missing X-GitHub-Event header' }, {}, true);
    if (!delivery) return finish(400, 'missing_delivery', { ok: false, error: 'missing X-GitHub-Delivery header' }, {}, true);
    if (!DELIVERY_ID.test(delivery)) return finish(400, 'invalid_delivery', { ok: false, error: 'invalid X-GitHub-Delivery header' }, { delivery: '' }, true);
    const signature = header(req, 'x-hub-signature-256');
    if (secrets.length > 0 && !signature) return finish(401, 'invalid_signature', { ok: false, error: 'invalid webhook signature' }, {}, true);
    const read = await readBody(req);
    if (!read.ok) {
      return finish(413, 'payload_too_large', { ok: false, event, delivery, error: `payload too large after read: ${read.size} bytes (max=${maxPayload})` }, {}, true);
    }
    const text = read.body.toString('utf8');
    if (secrets.length > 0 && !(await verifyWebhookSignature({ secrets, body: text, signature }))) {
      return finish(401, 'invalid_signature', { ok: false, error: 'invalid webhook signature' });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return finish(400, 'invalid_json', { ok: false, error: 'invalid JSON payload' });
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return finish(400, 'invalid_payload', { ok: false, error: 'payload must be a JSON object' });
    }
    const payloadSha256 = createHash('sha256').update(read.body).digest('hex');
    const result = await submitDelivery({ deliveryId: delivery, eventName: event, payloadSha256, payload });
    finish(result.status, result.outcome, result.body, { processed: result.processed, ignored: result.ignored, retryableFailures: result.retryableFailures, error: result.error });
    for (const task of result.rollups) runRollup(task, delivery, event);
  };

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = normaliseWebhookPath(req.url ?? '/');
    metrics.inFlight++;
    res.once('close', () => metrics.inFlight--);
    if (shuttingDown) {
      if (method === 'POST') writeAudit({ path, event: header(req, 'x-github-event'), delivery: header(req, 'x-github-delivery'), status: 503, outcome: 'shutting_down', error: 'server is shutting down' });
      return sendAndClose(req, res, 503, { ok: false, error: 'server is shutting down; retry' });
    }
    if (method === 'GET' || method === 'HEAD') {
      if (path === '/metrics') {
        const text = metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        return void res.end(method === 'HEAD' ? undefined : text);
      }
      if (path === '/healthz' || path === webhookPath) return send(res, 200, { ok: true, status: 'alive' });
      return send(res, 404, { ok: false, error: 'not found' });
    }
    if (path !== webhookPath) {
      if (method === 'POST') {
        metrics.observe('not_found', (performance.now() - started) / 1000);
        writeAudit({ path, event: header(req, 'x-github-event'), delivery: header(req, 'x-github-delivery'), status: 404, outcome: 'not_found', error: 'not found' });
      }
      return sendAndClose(req, res, 404, { ok: false, error: 'not found' });
    }
    if (method !== 'POST') return sendAndClose(req, res, 405, { ok: false, error: `method ${method} not allowed; GitHub deliveries are POST` });
    handlePost(req, res, path, started).catch((error: unknown) => {
      ctx.log.error('webhook request failed', { error: (error as Error).message });
      if (!res.headersSent) sendAndClose(req, res, 500, { ok: false, error: `unhandled webhook error: ${(error as Error).message}` });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const bad = error.code === 'HPE_INVALID_CONTENT_LENGTH' || error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH';
    const body = JSON.stringify({ ok: false, error: bad ? 'invalid Content-Length' : 'bad request' });
    if (bad) writeAudit({ path: webhookPath, event: '', delivery: '', status: 400, outcome: 'invalid_content_length', error: 'invalid Content-Length' });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const idle = async () => {
    while (rollups.size > 0) await Promise.allSettled([...rollups.values()].map((r) => r.running));
  };
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    host,
    port: address.port,
    path: webhookPath,
    metrics,
    idle,
    flushAudit: async () => {
      await audit?.flush();
    },
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = performance.now() + graceMs;
        while ((metrics.inFlight > 0 || rollups.size > 0) && performance.now() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
          server.closeIdleConnections();
        }
        server.closeAllConnections();
        await stopped;
        await audit?.close();
      })();
      return closing;
    },
  };
}
