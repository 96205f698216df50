import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as v from 'valibot';
import { signWebhookPayload } from '@agentpr/github';
import { formatIssues } from '@agentpr/orchestrator';
import { AgentprError } from '@agentpr/orchestrator/errors';

/** The checks of {@link webhookProbe}, in the order they run. */
export const WEBHOOK_PROBE_CHECKS = ['signed_delivery_accept', 'delivery_replay_dedup', 'invalid_signature_reject', 'payload_size_guard'] as const;

/** One check name of {@link WEBHOOK_PROBE_CHECKS}. */
export type WebhookProbeCheckName = (typeof WEBHOOK_PROBE_CHECKS)[number];

/** What one probe request got back. `status_code` is 0 on a transport error (refused, reset, TLS, timeout). */
export interface WebhookProbeCheck {
  name: WebhookProbeCheckName;
  ok: boolean;
  status_code: number;
  /** The response body: parsed JSON when it is JSON, else its text (clipped); null when empty. */
  response: unknown;
  /** Why the check failed, with a hint for known mistakes; `""` when it passed. */
  error: string;
}

/** The probe report: `ok` iff every check passed. Never contains the secret. */
export interface WebhookProbeReport {
  ok: boolean;
  /** The probed URL, without any user:password part. */
  url: string;
  checks: WebhookProbeCheck[];
}

/** Input of {@link webhookProbe}: the `agentpr webhook-probe` flags. */
export const WebhookProbeInputSchema = v.object({
  url: v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.check((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'must be an http:// or https:// URL such as https://hooks.example.com/github/webhook'),
  ),
  secret: v.pipe(v.string('must be a string'), v.check((s) => s.trim().length > 0, 'is required (the webhook secret the server verifies with)')),
  timeoutSec: v.optional(v.pipe(v.number('must be a number'), v.finite('must be a finite number'), v.minValue(1, 'must be at least 1')), 10),
  maxPayloadBytes: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1024, 'must be at least 1024')), 1024 * 1024),
});

/** Raw probe input before validation. */
export type WebhookProbeInput = v.InferInput<typeof WebhookProbeInputSchema>;

/** Collaborators of {@link webhookProbe}; all optional. */
export interface WebhookProbeDeps {
  /** A fresh delivery id (default: a random UUID). Called once per probe run for the replayed delivery, and once per other check. */
  newDeliveryId?: () => string;
  /** PEM certificates to trust for an https URL instead of Node's default store (a private CA; tests). */
  ca?: string | Buffer;
}

/** The check_run body of the first two checks: a repository no run matches, so nothing changes. */
const PROBE_BODY = JSON.stringify({ action: 'completed', repository: { name: 'probe-repo', owner: { login: 'probe-owner' } } });
/** How long the oversize check waits for an answer to its headers before it starts sending the body. */
const EARLY_ANSWER_WAIT_MS = 1000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_RESPONSE_TEXT = 2000;
const CHUNK_BYTES = 64 * 1024;

interface Exchange {
  status: number;
  body: string;
  error: string;
}

/**
 * Probes a deployed GitHub webhook endpoint the way GitHub reaches it: a signed `check_run` delivery
 * must be accepted (200, `ok: true`), the identical delivery again must be answered as a duplicate (200,
 * `duplicate_delivery: true`), a delivery signed with the wrong secret must be refused (401), and a body one
 * byte over `maxPayloadBytes` must get 413. Every probe run uses fresh delivery ids, and the size check
 * sends its headers first and keeps the 413 even when the server closes the connection before the body is sent.
 * Transport failures are results (status 0), not exceptions; invalid input throws a `usage` AgentprError.
 *
 * @example
 * const report = await webhookProbe({ url: 'https://hooks.example.com/github/webhook', secret });
 * if (!report.ok) console.log(report.checks.filter((c) => !c.ok));
 */
export async function webhookProbe(input: WebhookProbeInput, deps: WebhookProbeDeps = {}): Promise<WebhookProbeReport> {
  const parsed = v.safeParse(WebhookProbeInputSchema, input);
  if (!parsed.success) throw new AgentprError('usage', `webhook-probe: ${formatIssues(parsed.issues)}`);
  const { secret, timeoutSec, maxPayloadBytes } = parsed.output;
  const url = new URL(parsed.output.url);
  const newId = deps.newDeliveryId ?? randomUUID;
  const timeoutMs = Math.round(timeoutSec * 1000);
  const send = (event: string, delivery: string, body: Buffer, signature: string, early = false) =>
    postDelivery(url, { event, delivery, signature }, body, {
      timeoutMs,
      ca: deps.ca,
      earlyAnswerWaitMs: early ? Math.min(EARLY_ANSWER_WAIT_MS, timeoutMs / 4) : 0,
    });

  const delivery = newId();
  const body = Buffer.from(PROBE_BODY);
  const signature = await signWebhookPayload(secret, PROBE_BODY);
  const checks: WebhookProbeCheck[] = [];

  const first = await send('check_run', delivery, body, signature);
  checks.push(judge('signed_delivery_accept', first, secret, (status, json) => {
    if (status !== 200 || json?.ok !== true) return `expected HTTP 200 with "ok": true, got ${describe(status, json)}${hint(status)}`;
    if (json.duplicate_delivery === true) return 'the first delivery of this probe run was answered as a duplicate; the server must deduplicate by X-GitHub-Delivery only';
    return '';
  }));

  const replay = await send('check_run', delivery, body, signature);
  checks.push(judge('delivery_replay_dedup', replay, secret, (status, json) =>
    status === 200 && json?.duplicate_delivery === true ? '' : `expected HTTP 200 with "duplicate_delivery": true for the same delivery id, got ${describe(status, json)}${hint(status)}`,
  ));

  const pingBody = JSON.stringify({ zen: 'agentpr webhook probe', hook_id: 0 });
  const wrongSignature = await signWebhookPayload(`agentpr-probe-wrong-secret-${newId()}`, pingBody);
  const forged = await send('ping', newId(), Buffer.from(pingBody), wrongSignature);
  checks.push(judge('invalid_signature_reject', forged, secret, (status, json) => {
    if (status === 401) return '';
    if (status >= 200 && status < 300) return `a delivery with a wrong signature was accepted (HTTP ${status}); configure a webhook secret on the server and do not use --allow-unsigned in production`;
    return `expected HTTP 401 for a wrong signature, got ${describe(status, json)}${hint(status)}`;
  }));

  const oversize = Buffer.alloc(maxPayloadBytes + 1, 'x');
  const oversizeSignature = await signWebhookPayload(secret, oversize.toString('utf8'));
  const big = await send('ping', newId(), oversize, oversizeSignature, true);
  checks.push(judge('payload_size_guard', big, secret, (status, json) =>
    status === 413
      ? ''
      : `expected HTTP 413 for a body of ${oversize.length} bytes (--max-payload-bytes ${maxPayloadBytes} + 1), got ${describe(status, json)}${status >= 200 && status < 300 ? '; lower the server limit (--max-payload-bytes, nginx client_max_body_size) or pass the limit the server really uses' : hint(status)}`,
  ));

  url.username = '';
  url.password = '';
  return { ok: checks.every((c) => c.ok), url: url.toString(), checks };
}

function judge(
  name: WebhookProbeCheckName,
  exchange: Exchange,
  secret: string,
  expect: (status: number, json: Record<string, unknown> | undefined) => string,
): WebhookProbeCheck {
  const text = redact(exchange.body, secret);
  const response = parseBody(text);
  const json = response && typeof response === 'object' && !Array.isArray(response) ? (response as Record<string, unknown>) : undefined;
  const error = exchange.status === 0 ? redact(exchange.error, secret) : expect(exchange.status, json);
  return { name, ok: error === '', status_code: exchange.status, response, error };
}

function describe(status: number, json: Record<string, unknown> | undefined): string {
  const said = typeof json?.error === 'string' ? ` (${json.error})` : '';
  return `HTTP ${status}${said}`;
}

function hint(status: number): string {
  switch (status) {
    case 401:
      return '; the signature was refused: --secret must equal the server\'s AGENTPR_GITHUB_WEBHOOK_SECRET';
    case 404:
      return '; nothing answers at this path: the webhook path is /github/webhook on the server, the proxy and GitHub';
    case 403:
    case 405:
    case 501:
      return '; POST is refused here: the proxy must pass POST to the webhook server';
    case 413:
      return '; the body was refused as too large: the proxy limit (nginx client_max_body_size) is below the server\'s';
    case 502:
    case 503:
    case 504:
      return '; the proxy cannot reach the webhook server: is agentpr-webhook running on 127.0.0.1:8787?';
    default:
      return '';
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.length > MAX_RESPONSE_TEXT ? `${text.slice(0, MAX_RESPONSE_TEXT)}…` : text;
  }
}

function redact(text: string, secret: string): string {
  return secret && text.includes(secret) ? text.split(secret).join('[redacted]') : text;
}

function transportError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const message = String(e?.message ?? error).split('\n')[0]!;
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/**
 * One POST on its own connection. The headers go out first; with `earlyAnswerWaitMs` the body waits that long
 * for an early answer (a server that refuses by Content-Length answers before reading), then streams in chunks
 * and stops as soon as a response arrives. A write error after the response arrived does not lose the response.
 */
function postDelivery(
  url: URL,
  meta: { event: string; delivery: string; signature: string },
  body: Buffer,
  options: { timeoutMs: number; ca: string | Buffer | undefined; earlyAnswerWaitMs: number },
): Promise<Exchange> {
  return new Promise((resolve) => {
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'agentpr-webhook-probe',
      'x-github-event': meta.event,
      'x-github-delivery': meta.delivery,
      'x-hub-signature-256': meta.signature,
    };
    let response: IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const text = () => Buffer.concat(chunks).toString('utf8');
    const finish = (exchange: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(exchange);
    };
    const timer = setTimeout(() => {
      const seconds = options.timeoutMs / 1000;
      finish(
        response
          ? { status: response.statusCode ?? 0, body: text(), error: '' }
          : { status: 0, body: '', error: `timed out after ${seconds}s waiting for ${url.host}` },
      );
    }, options.timeoutMs);
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req: ClientRequest = requestFn(url, { method: 'POST', headers, agent: false, ...(options.ca !== undefined ? { ca: options.ca } : {}) });
    req.on('response', (res) => {
      response = res;
      res.on('data', (chunk: Buffer) => {
        if (received < MAX_RESPONSE_BYTES) chunks.push(chunk);
        received += chunk.length;
      });
      const done = () => finish({ status: res.statusCode ?? 0, body: text(), error: '' });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', (error) => {
      // EPIPE/ECONNRESET while sending is expected once the server has answered and closed: keep its answer.
      if (response) return finish({ status: response.statusCode ?? 0, body: text(), error: '' });
      finish({ status: 0, body: '', error: transportError(error) });
    });
    if (options.earlyAnswerWaitMs <= 0) {
      req.end(body);
      return;
    }
    req.flushHeaders();
    setTimeout(() => void streamBody(req, body, () => settled || response !== undefined), options.earlyAnswerWaitMs);
  });
}

async function streamBody(req: ClientRequest, body: Buffer, stop: () => boolean): Promise<void> {
  for (let offset = 0; offset < body.length; offset += CHUNK_BYTES) {
    if (stop() || req.destroyed) return;
    if (!req.write(body.subarray(offset, offset + CHUNK_BYTES))) {
      await new Promise<void>((resolve) => {
        const go = () => {
          req.off('drain', go);
          req.off('close', go);
          resolve();
        };
        req.on('drain', go);
        req.on('close', go);
      });
    }
  }
  if (!stop() && !req.destroyed) req.end();
}
