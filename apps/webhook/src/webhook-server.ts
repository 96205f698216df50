import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { GitHubClient } from '@agentpr/github';
import { kyselyDeliveryExecutor, openSqliteDeliveryWriter, type DeliveryExecutor } from '@agentpr/store';
import { AgentprError, type AppContext } from '@agentpr/orchestrator';
import { truncateAuditField } from '@agentpr/logging';
import { deliveryWorkerScript, inProcessChannel, startDeliveryWorker, type DeliveryChannel } from './delivery-channel.js';
import { header, readBody, type BodyRead } from './read-body.js';
import { createRollupRunner } from './rollup-runner.js';
import { createWebhookAdmission, type WebhookTicket } from './webhook-admission.js';
import { createWebhookAudit, type AuditFields } from './webhook-audit.js';
import { webhookClientAddress } from './webhook-client-address.js';
import { createWebhookMetrics, type WebhookMetrics } from './webhook-metrics.js';
import { startWebhookMetricsServer, type WebhookMetricsServer } from './webhook-metrics-server.js';

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
   * The store's SQLite file. Deliveries are then processed on a worker thread with its own connection and cached
   * statements (`dist/delivery-worker.js`; from the TypeScript sources, on this thread with such a connection),
   * so the transactions never hold up the thread that reads requests. Omit it on PostgreSQL.
   */
  sqliteDeliveryPath?: string | undefined;
  /**
   * With `sqliteDeliveryPath`: `worker` (default, when the worker script is built) or `in-process` (the dedicated
   * connection on this thread: no hand-over between threads, so the least CPU per delivery, on one core).
   */
  deliveryThread?: DeliveryChannel['kind'];
  /** Runs the delivery statements on this thread instead (tests); default kysely over `ctx.db`. Ignored with `sqliteDeliveryPath`. */
  deliveryStore?: DeliveryExecutor;
  /** How long {@link WebhookServer.close} waits for in-flight work; default 10 s. */
  shutdownGraceMs?: number;
  /** Open connections at most; further ones are closed at once. Default {@link DEFAULT_MAX_CONNECTIONS}. */
  maxConnections?: number;
  /** Requests one client may have in flight; more are answered 429 unread. Default {@link DEFAULT_MAX_CONCURRENT_PER_CLIENT}. */
  maxConcurrentPerClient?: number;
  /**
   * Body bytes that requests whose signature is not checked yet may hold, all clients together; a body past it is
   * answered 503 before it is read. One client gets a quarter of it (at least one largest body). Default
   * {@link DEFAULT_MAX_UNVERIFIED_BYTES}; never below `maxPayloadBytes`.
   */
  maxUnverifiedBytes?: number;
  /** Reverse proxies (socket addresses) whose `X-Real-IP` names the client, e.g. `['127.0.0.1']` behind nginx. Default none. */
  trustedProxies?: readonly string[];
  /** Largest request head (request line and headers); larger is 431. Default 8 KiB. */
  maxHeaderBytes?: number;
  /** Time to receive the request head; default 5 s. */
  headersTimeoutMs?: number;
  /** Time to receive the whole request; default 10 s, GitHub's own wait for an answer. */
  requestTimeoutMs?: number;
  /** Serve `/metrics` on its own listener (loopback unless a token is set); none when omitted. The public port never serves it. */
  metrics?: { host?: string | undefined; port: number; token?: string | undefined } | undefined;
  /** Audit lines of requests without a valid signature: at once, and per second after that. Default 20 and 1. */
  auditUnverifiedBurst?: number;
  auditUnverifiedPerSecond?: number;
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
  /** Where deliveries are processed: a worker thread with its own SQLite connection, or this thread. */
  deliveryThread: DeliveryChannel['kind'];
  /** `http://host:port/metrics` of the metrics listener, when one was asked for. */
  metricsUrl: string | undefined;
  /** Resolves when every scheduled roll-up has finished (tests; shutdown). */
  idle(): Promise<void>;
  /** Resolves when the audit lines written so far are on disk. */
  flushAudit(): Promise<void>;
  /** Graceful stop: refuse new requests, finish in-flight ones and roll-ups, flush the audit log. */
  close(): Promise<void>;
}

/** The default `--max-payload-bytes` (policy `github_webhook.max_payload_bytes`). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** The default `--max-connections`. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/** The default `--max-concurrent-per-client`. */
export const DEFAULT_MAX_CONCURRENT_PER_CLIENT = 32;

/** The default `--max-unverified-bytes`: 16 largest bodies. */
export const DEFAULT_MAX_UNVERIFIED_BYTES = 16 * 1024 * 1024;

/** Normalises a webhook path: no query string, a leading `/`, empty → `/`. */
export function normaliseWebhookPath(raw: string): string {
  const path = raw.split('?')[0]!.split('#')[0]!.trim();
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}

const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** GitHub's event names (`check_run`, `pull_request_review`, …). */
const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** `X-Hub-Signature-256`: checked for shape before a byte of the body is read. */
const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Starts the GitHub webhook receiver on node:http. Checks run cheapest first, and
 * everything that needs no body is checked before a byte of it is read — per-client concurrency (429), route,
 * method, declared size (a malformed `Content-Length` is 400), content type, the event and delivery headers,
 * the presence and shape of `X-Hub-Signature-256` (401), then a reservation in the budget of unverified body
 * bytes (503 when spent). The body is then read with the size limit enforced while reading (chunked bodies too)
 * and streamed through the HMAC of each secret (current, previous), the signature compared in constant time and
 * the JSON parsed — each failure with its own status. A good delivery is processed exactly once by
 * {@link handleWebhookDelivery} (claim + events in one transaction; 500 leaves no claim so GitHub's retry is
 * processed). Every POST answer is audited to a rotating JSONL file — header-derived fields cut to 100
 * characters, and lines of requests without a valid signature rate-limited with a `audit_suppressed` summary, so
 * a flood cannot rotate real entries away — and counted in the metrics, which only a separate listener
 * serves (`metrics` option). `/healthz` answers `alive`. Roll-ups over the network run after the reply, so
 * GitHub gets its answer within its 10 s. Connections are capped (`maxConnections`), heads are at most 8 KiB
 * and must arrive within 5 s, whole requests within 10 s.
 *
 * @example
 * const server = await startWebhookServer({ ctx, port: 8787, secret: env.AGENTPR_GITHUB_WEBHOOK_SECRET,
 *   auditLogFile: '/var/lib/agentpr/reports/github_webhook_audit.jsonl', github, trustedProxies: ['127.0.0.1'],
 *   metrics: { port: 9464 } });
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
  // The keys are imported once; each request only starts an HMAC over them.
  const keys = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  const maxPayload = Math.max(1024, Math.trunc(options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES));
  const maxUnverified = Math.max(maxPayload, Math.trunc(options.maxUnverifiedBytes ?? DEFAULT_MAX_UNVERIFIED_BYTES));
  const admission = createWebhookAdmission({
    maxConcurrentPerClient: options.maxConcurrentPerClient ?? DEFAULT_MAX_CONCURRENT_PER_CLIENT,
    maxUnverifiedBytes: maxUnverified,
    maxUnverifiedBytesPerClient: Math.max(maxPayload, Math.floor(maxUnverified / 4)),
  });
  const trustedProxies = options.trustedProxies ?? [];
  const headersTimeout = Math.max(100, options.headersTimeoutMs ?? 5_000);
  const requestTimeout = Math.max(headersTimeout, options.requestTimeoutMs ?? 10_000);
  const webhookPath = normaliseWebhookPath(options.path ?? '/github/webhook');
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const metrics = createWebhookMetrics();
  const audit = createWebhookAudit({
    file: options.auditLogFile,
    maxBytes: options.auditMaxBytes,
    keepFiles: options.auditKeepFiles,
    path: webhookPath,
    clock: ctx.clock,
    metrics,
    unverifiedBurst: options.auditUnverifiedBurst,
    unverifiedPerSecond: options.auditUnverifiedPerSecond,
  });
  const rollups = createRollupRunner({ ctx, github: options.github, metrics, audit, path: webhookPath });
  let deliveries: DeliveryChannel;
  try {
    deliveries = await openDeliveryChannel(ctx, options);
  } catch (error) {
    await audit.close();
    throw error;
  }
  let shuttingDown = false;
  const syncGauge = () => {
    metrics.unverifiedBytes = admission.unverifiedBytes;
  };
  const writeUnverifiedAudit = audit.writeUnverified;

  const sendText = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };
  const send = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => sendText(res, status, JSON.stringify(body), extra);

  /**
   * Answers before (all of) the body was read and closes the connection. What the client still sends is read and
   * dropped for a moment (never kept), so it sees the answer instead of a reset.
   */
  const sendAndClose = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    send(res, status, body, { connection: 'close', ...extra });
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxPayload) req.socket.destroy();
    });
    req.resume();
    setTimeout(() => req.socket.destroy(), 1_000).unref();
  };

  const handlePost = async (req: IncomingMessage, res: ServerResponse, path: string, client: string, ticket: WebhookTicket, started: number) => {
    // Validated below before any use but the (cut) audit line and answer; a verified delivery's are short by then.
    const event = header(req, 'x-github-event');
    const delivery = header(req, 'x-github-delivery');
    const echo = { event: truncateAuditField(event), delivery: truncateAuditField(delivery) };
    let verified = false;
    const finish = (status: number, outcome: string, body: Record<string, unknown>, extra: Partial<AuditFields> = {}, close = false) => {
      if (close) sendAndClose(req, res, status, body, status === 503 || status === 429 ? { 'retry-after': '1' } : {});
      // A sender without a valid signature keeps no idle connection here.
      else send(res, status, body, verified ? {} : { connection: 'close' });
      metrics.observe(outcome, (performance.now() - started) / 1000);
      const fields: AuditFields = { path, client, event, delivery, status, outcome, error: typeof body.error === 'string' ? body.error : '', ...extra };
      if (verified) audit.write(fields);
      else writeUnverifiedAudit(fields);
    };
    /** The answer to a verified delivery, rendered by the delivery channel. */
    const finishText = (status: number, outcome: string, text: string, extra: Partial<AuditFields>) => {
      sendText(res, status, text);
      metrics.observe(outcome, (performance.now() - started) / 1000);
      audit.write({ path, client, event, delivery, status, outcome, ...extra });
    };
    const rawLength = req.headers['content-length'];
    let declared: number | undefined;
    if (rawLength !== undefined) {
      if (!/^\d+$/.test(rawLength.trim())) {
        return finish(400, 'invalid_content_length', { ok: false, ...echo, error: `invalid Content-Length: ${truncateAuditField(rawLength)}` }, {}, true);
      }
      declared = Number(rawLength);
      if (declared > maxPayload) {
        return finish(413, 'payload_too_large', { ok: false, ...echo, error: `payload too large: ${declared} bytes (max=${maxPayload})` }, {}, true);
      }
    }
    const contentType = header(req, 'content-type').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      return finish(415, 'unsupported_media_type', { ok: false, ...echo, error: `unsupported content type: ${truncateAuditField(contentType) || '(none)'}; set the GitHub hook's content type to application/json` }, {}, true);
    }
    if (!event) return finish(400, 'missing_event', { ok: false, error: 'missing X-GitHub-Event header' }, {}, true);
    if (!EVENT_NAME.test(event)) return finish(400, 'invalid_event', { ok: false, error: 'invalid X-GitHub-Event header' }, {}, true);
    if (!delivery) return finish(400, 'missing_delivery', { ok: false, error: 'missing X-GitHub-Delivery header' }, {}, true);
    if (!DELIVERY_ID.test(delivery)) return finish(400, 'invalid_delivery', { ok: false, error: 'invalid X-GitHub-Delivery header' }, { delivery: '' }, true);
    const signature = SIGNATURE.exec(header(req, 'x-hub-signature-256'))?.[1];
    if (secrets.length > 0 && !signature) return finish(401, 'invalid_signature', { ok: false, error: 'invalid webhook signature' }, {}, true);
    if (declared !== undefined && !ticket.reserve(declared)) {
      return finish(503, 'overloaded', { ok: false, error: 'too many unverified request bodies in flight; retry' }, {}, true);
    }
    syncGauge();
    const hmacs = signature ? keys.map((key) => createHmac('sha256', key)) : [];
    let read: BodyRead;
    try {
      read = await readBody(req, maxPayload, ticket, declared !== undefined, hmacs, syncGauge);
    } finally {
      ticket.releaseBytes();
      syncGauge();
    }
    if (!read.ok) {
      if (read.reason === 'aborted') return void metrics.observe('aborted', (performance.now() - started) / 1000);
      if (read.reason === 'overloaded') return finish(503, 'overloaded', { ok: false, error: 'too many unverified request bodies in flight; retry' }, {}, true);
      return finish(413, 'payload_too_large', { ok: false, ...echo, error: `payload too large after read: ${read.size} bytes (max=${maxPayload})` }, {}, true);
    }
    if (secrets.length > 0) {
      const expected = Buffer.from(signature!, 'hex');
      // Every secret is compared (no early exit), each in constant time.
      const matches = read.digests.map((d) => timingSafeEqual(d, expected));
      if (!matches.includes(true)) return finish(401, 'invalid_signature', { ok: false, error: 'invalid webhook signature' });
    }
    verified = true;
    const body = read.chunks.length === 1 ? read.chunks[0]! : Buffer.concat(read.chunks, read.size);
    // The HMACs double as the payload's fingerprint (one secret), so the delivery side need not hash the body again.
    const digests = read.digests.length > 0 ? read.digests.map((d) => d.toString('hex')) : undefined;
    const answer = await deliveries.submit({ deliveryId: delivery, eventName: event, body, hmacs: digests });
    const { processed, ignored, retryableFailures, error } = answer;
    finishText(answer.status, answer.outcome, answer.bodyText, { processed, ignored, retryableFailures, error });
    for (const task of answer.rollups) rollups.run(task, delivery, event);
  };

  const maxHeaderSize = Math.max(1024, options.maxHeaderBytes ?? 8 * 1024);
  const server: Server = createServer(
    { maxHeaderSize, headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))) },
    (req, res) => {
      const started = performance.now();
      const method = req.method ?? 'GET';
      const path = normaliseWebhookPath(req.url ?? '/');
      const client = webhookClientAddress(req.socket.remoteAddress, req.headers['x-real-ip'] as string | undefined, trustedProxies);
      metrics.inFlight++;
      res.once('close', () => metrics.inFlight--);
      const unverifiedLine = (status: number, outcome: string, error: string) =>
        writeUnverifiedAudit({ path, client, event: header(req, 'x-github-event'), delivery: header(req, 'x-github-delivery'), status, outcome, error });
      if (shuttingDown) {
        if (method === 'POST') unverifiedLine(503, 'shutting_down', 'server is shutting down');
        return sendAndClose(req, res, 503, { ok: false, error: 'server is shutting down; retry' });
      }
      const ticket = admission.enter(client);
      if (!ticket) {
        metrics.observe('too_many_requests', (performance.now() - started) / 1000);
        if (method === 'POST') unverifiedLine(429, 'too_many_requests', 'too many concurrent requests from this client');
        return sendAndClose(req, res, 429, { ok: false, error: 'too many concurrent requests from this client; retry' }, { 'retry-after': '1' });
      }
      res.once('close', () => {
        ticket.leave();
        syncGauge();
      });
      if (method === 'GET' || method === 'HEAD') {
        if (path === '/healthz' || path === webhookPath) return send(res, 200, { ok: true, status: 'alive' });
        return send(res, 404, { ok: false, error: 'not found' });
      }
      if (path !== webhookPath) {
        if (method === 'POST') {
          metrics.observe('not_found', (performance.now() - started) / 1000);
          unverifiedLine(404, 'not_found', 'not found');
        }
        return sendAndClose(req, res, 404, { ok: false, error: 'not found' });
      }
      if (method !== 'POST') return sendAndClose(req, res, 405, { ok: false, error: `method ${truncateAuditField(method)} not allowed; GitHub deliveries are POST` });
      handlePost(req, res, path, client, ticket, started).catch((error: unknown) => {
        ctx.log.error('webhook request failed', { error: (error as Error).message });
        if (!res.headersSent) sendAndClose(req, res, 500, { ok: false, error: `unhandled webhook error: ${(error as Error).message}` });
        else res.destroy();
      });
    },
  );
  server.maxConnections = Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  server.on('drop', () => metrics.droppedConnections++);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason, message, outcome] =
      error.code === 'HPE_INVALID_CONTENT_LENGTH' || error.code === 'HPE_UNEXPECTED_CONTENT_LENGTH'
        ? [400, 'Bad Request', 'invalid Content-Length', 'invalid_content_length']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', `request head larger than ${maxHeaderSize} bytes`, 'headers_too_large']
          : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'request not received in time', 'request_timeout']
            : [400, 'Bad Request', 'bad request', ''];
    const body = JSON.stringify({ ok: false, error: message });
    if (outcome) {
      metrics.observe(outcome, 0);
      writeUnverifiedAudit({ path: webhookPath, event: '', delivery: '', status, outcome, error: message });
    }
    socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  let metricsServer: WebhookMetricsServer | undefined;
  if (options.metrics) {
    try {
      metricsServer = await startWebhookMetricsServer({ metrics, port: options.metrics.port, host: options.metrics.host ?? '127.0.0.1', token: options.metrics.token });
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deliveries.close();
      await audit.close();
      const e = error as NodeJS.ErrnoException;
      if (e instanceof AgentprError) throw e;
      throw new AgentprError('config', `cannot listen for metrics on ${options.metrics.host ?? '127.0.0.1'}:${options.metrics.port}: ${e.message}; pick another --metrics-port`, { cause: error });
    }
  }
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    host,
    port: address.port,
    path: webhookPath,
    metrics,
    deliveryThread: deliveries.kind,
    metricsUrl: metricsServer?.url,
    idle: () => rollups.idle(),
    flushAudit: () => audit.flush(),
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
        await metricsServer?.close();
        await deliveries.close();
        await audit.close();
      })();
      return closing;
    },
  };
}

/** The worker thread on SQLite when its script is built, else this thread; see {@link WebhookServerOptions.sqliteDeliveryPath}. */
async function openDeliveryChannel(ctx: AppContext, options: WebhookServerOptions): Promise<DeliveryChannel> {
  const sqlitePath = options.sqliteDeliveryPath;
  if (!sqlitePath) return inProcessChannel(ctx, options.deliveryStore ?? kyselyDeliveryExecutor(ctx.db));
  const script = options.deliveryThread === 'in-process' ? undefined : deliveryWorkerScript();
  if (script) return startDeliveryWorker({ script, sqlitePath, log: ctx.log });
  const writer = openSqliteDeliveryWriter(sqlitePath);
  const channel = inProcessChannel(ctx, writer);
  return { ...channel, close: async () => writer.close() };
}
