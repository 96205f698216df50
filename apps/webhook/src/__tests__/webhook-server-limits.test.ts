import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, freshDatabase, githubSignature, sendWebhook, webhookExample, type TestDatabase } from '@agentpr/testing';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from '../webhook-server.js';
import { testApp, type TestApp } from './fixtures.js';

const SECRET = 'limits-test-secret';
const BAD_SIGNATURE = `sha256=${'0'.repeat(64)}`;

let tdb: TestDatabase;
let app: TestApp;
let server: WebhookServer;
let auditFile: string;
const sockets: Socket[] = [];

async function start(patch: Partial<WebhookServerOptions> = {}): Promise<WebhookServer> {
  return startWebhookServer({ ctx: app.ctx, port: 0, secret: SECRET, auditLogFile: auditFile, ...patch });
}

afterAll(() => cleanupTempDirs());
beforeEach(async () => {
  tdb = await freshDatabase('sqlite');
  app = await testApp(tdb.location, 'webhook');
  auditFile = join(app.ctx.paths.reportsDir, 'github_webhook_audit.jsonl');
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  await app.close();
  await tdb.drop();
});

const hook = () => `${server.url}/github/webhook`;
/** A small signed delivery (the GitHub ping example is larger than the small payload limits used here). */
const ping = (delivery?: string) => sendWebhook(hook(), { event: 'ping', payload: { zen: 'Keep it logically awesome.', hook_id: 1 }, secret: SECRET, ...(delivery ? { delivery } : {}) });
const auditLines = async (): Promise<Array<Record<string, any>>> => {
  await server.flushAudit();
  return existsSync(auditFile) ? readFileSync(auditFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};

/** Resolves when `check` holds, polling every 10 ms; fails after `ms`. */
async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface RawExchange {
  socket: Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
}

/** Opens a connection from `localAddress` (any 127/8 address is this machine) and writes `text` on it. */
function rawConnection(text: string, localAddress = '127.0.0.1'): RawExchange {
  const socket = connect({ port: server.port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  let data = '';
  socket.on('data', (d) => (data += d.toString()));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(data)));
  if (text) socket.write(text);
  return { socket, closed };
}

const statusOf = (response: string) => Number(response.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);

/** A POST head for the webhook path; the body is left to the caller. */
function postHead(headers: Record<string, string | number> = {}): string {
  const all: Record<string, string | number> = {
    host: 'x',
    'content-type': 'application/json',
    'x-github-event': 'ping',
    'x-github-delivery': `d-${Math.random().toString(16).slice(2)}`,
    'x-hub-signature-256': BAD_SIGNATURE,
    'content-length': 100,
    ...headers,
  };
  return `POST /github/webhook HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

describe('webhook server connection and request limits', () => {
  it('maxConnections: a connection past the cap is closed at once and counted; a freed slot serves again', async () => {
    server = await start({ maxConnections: 3 });
    const idle = [rawConnection(''), rawConnection(''), rawConnection('')];
    await Promise.all(idle.map((c) => new Promise((r) => (c.socket.readyState === 'open' ? r(null) : c.socket.once('connect', r)))));
    await until('three open connections', () => server.metrics.droppedConnections === 0 && idle.every((c) => c.socket.readyState === 'open'));
    const extra = rawConnection(postHead({ 'content-length': 2 }) + '{}');
    expect(await extra.closed).toBe('');
    expect(server.metrics.droppedConnections).toBe(1);
    expect(await server.metrics.render()).toContain('agentpr_webhook_dropped_connections_total 1');
    idle[0]!.socket.destroy();
    await idle[0]!.closed;
    // The server sees the close a moment after the client: retry until the slot is free (bounded).
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = await ping().then((r) => r.status, () => 0);
    expect(status).toBe(200);
  });

  it('headersTimeoutMs: a connection that never finishes its head is answered 408 and closed', async () => {
    server = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const started = Date.now();
    const slow = rawConnection('POST /github/webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: pi');
    const response = await slow.closed;
    expect(statusOf(response)).toBe(408);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('requestTimeoutMs: a body that trickles past the request timeout is cut off, and its reservation is returned', async () => {
    server = await start({ headersTimeoutMs: 200, requestTimeoutMs: 400 });
    const slow = rawConnection(`${postHead({ 'content-length': 1000 })}{"zen":`);
    await until('the body reservation', () => server.metrics.unverifiedBytes === 1000);
    await slow.closed;
    await until('the reservation to be returned', () => server.metrics.unverifiedBytes === 0);
  });

  it('maxHeaderBytes: a head over the cap is 431 before any handler runs', async () => {
    server = await start({ maxHeaderBytes: 4096 });
    const response = await rawConnection(postHead({ 'x-padding': 'p'.repeat(6000) })).closed;
    expect(statusOf(response)).toBe(431);
    expect((await auditLines()).map((l) => [l.status_code, l.outcome])).toEqual([[431, 'headers_too_large']]);
  });

  it('maxConcurrentPerClient: a third request from one address is 429 with Retry-After, another address is still served', async () => {
    server = await start({ maxConcurrentPerClient: 2 });
    const hanging = [rawConnection(postHead({ 'content-length': 50 })), rawConnection(postHead({ 'content-length': 50 }))];
    await until('two requests in flight', () => server.metrics.inFlight === 2);
    const third = await rawConnection(postHead({ 'content-length': 2 }) + '{}').closed;
    expect(statusOf(third)).toBe(429);
    expect(third).toMatch(/retry-after: 1/i);
    expect(JSON.parse(third.slice(third.indexOf('\r\n\r\n') + 4))).toEqual({ ok: false, error: 'too many concurrent requests from this client; retry' });
    const other = rawConnection(postHead({ 'content-length': 2 }) + '{}', '127.0.0.2');
    expect(statusOf(await other.closed)).toBe(401);
    for (const h of hanging) h.socket.destroy();
    await until('the slots to be free', () => server.metrics.inFlight === 0);
    expect((await ping()).status).toBe(200);
    expect((await auditLines()).map((l) => [l.status_code, l.outcome, l.client])).toEqual([
      [429, 'too_many_requests', '127.0.0.1'],
      [401, 'invalid_signature', '127.0.0.2'],
      [200, 'ignored', '127.0.0.1'],
    ]);
  });

  it("X-Real-IP names the client only when the socket's peer is a trusted proxy", async () => {
    server = await start({ maxConcurrentPerClient: 1, trustedProxies: ['127.0.0.1'] });
    const held = rawConnection(postHead({ 'content-length': 50, 'x-real-ip': '203.0.113.5' }));
    await until('one request in flight', () => server.metrics.inFlight === 1);
    const same = await rawConnection(postHead({ 'content-length': 2, 'x-real-ip': '203.0.113.5' }) + '{}').closed;
    expect(statusOf(same)).toBe(429);
    const other = await rawConnection(postHead({ 'content-length': 2, 'x-real-ip': '203.0.113.6' }) + '{}').closed;
    expect(statusOf(other)).toBe(401);
    // From an untrusted peer the header is ignored: 127.0.0.2 is its own client whatever it claims.
    const untrusted = rawConnection(postHead({ 'content-length': 50, 'x-real-ip': '203.0.113.7' }), '127.0.0.2');
    await until('two requests in flight', () => server.metrics.inFlight === 2);
    const spoof = await rawConnection(postHead({ 'content-length': 2, 'x-real-ip': '203.0.113.8' }) + '{}', '127.0.0.2').closed;
    expect(statusOf(spoof)).toBe(429);
    held.socket.destroy();
    untrusted.socket.destroy();
    expect((await auditLines()).map((l) => l.client)).toEqual(['203.0.113.5', '203.0.113.6', '127.0.0.2']);
  });

  it('maxUnverifiedBytes: bodies past the budget are 503 before a byte is read; verified deliveries resume once it frees', async () => {
    server = await start({ maxPayloadBytes: 4096, maxUnverifiedBytes: 8192 });
    const a = rawConnection(postHead({ 'content-length': 4096 }), '127.0.0.2');
    await until('the first reservation', () => server.metrics.unverifiedBytes === 4096);
    // One client gets at most a quarter of the budget (here: one largest body).
    const sameClient = await rawConnection(postHead({ 'content-length': 100 }), '127.0.0.2').closed;
    expect(statusOf(sameClient)).toBe(503);
    const b = rawConnection(postHead({ 'content-length': 4096 }), '127.0.0.3');
    await until('the budget to be spent', () => server.metrics.unverifiedBytes === 8192);
    const refused = await rawConnection(postHead({ 'content-length': 100 }), '127.0.0.4').closed;
    expect(statusOf(refused)).toBe(503);
    expect(refused).toMatch(/retry-after: 1/i);
    expect((await ping()).status).toBe(503);
    a.socket.destroy();
    b.socket.destroy();
    await until('the budget to be free', () => server.metrics.unverifiedBytes === 0);
    expect((await ping()).status).toBe(200);
    expect(server.metrics.counts()).toMatchObject({ overloaded: 3, ignored: 1 });
  });

  it('a chunked body is charged to the budget as it arrives and refused with 503 when the budget is spent', async () => {
    server = await start({ maxPayloadBytes: 4096, maxUnverifiedBytes: 4096 });
    const a = rawConnection(postHead({ 'content-length': 4000 }), '127.0.0.2');
    await until('the first reservation', () => server.metrics.unverifiedBytes === 4000);
    const head = postHead({ 'content-length': '' }).replace('content-length: \r\n', 'transfer-encoding: chunked\r\n');
    const chunked = await rawConnection(`${head}c8\r\n${'x'.repeat(200)}\r\n0\r\n\r\n`, '127.0.0.3').closed;
    expect(statusOf(chunked)).toBe(503);
    a.socket.destroy();
    await until('the budget to be free', () => server.metrics.unverifiedBytes === 0);
  });

  it('a malformed signature is 401 before the body is read: the answer comes while the body is still owed', async () => {
    server = await start();
    const exchange = rawConnection(postHead({ 'content-length': 4000, 'x-hub-signature-256': 'sha1=abc' }));
    const response = await exchange.closed;
    expect(statusOf(response)).toBe(401);
    expect(server.metrics.counts()).toEqual({ invalid_signature: 1 });
  });
});

describe('webhook audit under hostile input', () => {
  it('header-derived audit fields are cut to 100 characters', async () => {
    server = await start();
    const longEvent = `e${'x'.repeat(3000)}`;
    await rawConnection(postHead({ 'x-github-event': longEvent })).closed;
    await rawConnection(postHead({ 'x-github-delivery': 'd'.repeat(150), 'x-hub-signature-256': 's'.repeat(3000) })).closed;
    await rawConnection(postHead({ 'content-type': `text/${'t'.repeat(3000)}` })).closed;
    await rawConnection(`POST /${'p'.repeat(3000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`).closed;
    const lines = await auditLines();
    expect(lines.map((l) => l.outcome)).toEqual(['invalid_event', 'invalid_signature', 'unsupported_media_type', 'not_found']);
    expect(lines[0]!.event).toBe(`${longEvent.slice(0, 100)}…`);
    expect(lines[1]!.delivery).toBe(`${'d'.repeat(100)}…`);
    expect(lines[3]!.path).toBe(`/${'p'.repeat(99)}…`);
    for (const line of lines) {
      for (const field of ['event', 'delivery', 'path', 'client']) expect(String(line[field]).length).toBeLessThanOrEqual(101);
      expect(String(line.error).length).toBeLessThan(250);
      expect(JSON.stringify(line).length).toBeLessThan(700);
    }
  });

  it('unauthenticated lines are rate-limited with one summary line; verified deliveries are always audited', async () => {
    server = await start({ auditUnverifiedBurst: 3, auditUnverifiedPerSecond: 0 });
    expect((await ping('d-real-1')).status).toBe(200);
    const forged = async () => rawConnection(postHead({ 'content-length': 2 }) + '{}', '127.0.0.2').closed;
    for (let i = 0; i < 20; i++) expect(statusOf(await forged())).toBe(401);
    expect((await ping('d-real-2')).status).toBe(200);
    const lines = await auditLines();
    expect(lines.map((l) => l.outcome)).toEqual(['ignored', 'invalid_signature', 'invalid_signature', 'invalid_signature', 'ignored', 'audit_suppressed']);
    expect(lines.filter((l) => l.outcome === 'ignored').map((l) => l.delivery)).toEqual(['d-real-1', 'd-real-2']);
    expect(lines.at(-1)).toMatchObject({ status_code: 0, suppressed: 17, suppressed_outcomes: { invalid_signature: 17 } });
    expect(server.metrics.auditSuppressed).toBe(17);
    // The summary is written once; nothing more was suppressed since.
    expect((await auditLines()).filter((l) => l.outcome === 'audit_suppressed')).toHaveLength(1);
  });

  it('a signed delivery with a wrong secret counts as unauthenticated; a good one after it is audited', async () => {
    server = await start({ auditUnverifiedBurst: 1, auditUnverifiedPerSecond: 0 });
    const body = JSON.stringify(webhookExample('ping'));
    for (let i = 0; i < 3; i++) {
      const r = await rawConnection(postHead({ 'content-length': Buffer.byteLength(body), 'x-hub-signature-256': githubSignature('wrong', body) }) + body).closed;
      expect(statusOf(r)).toBe(401);
    }
    expect((await ping('d-good')).status).toBe(200);
    expect((await auditLines()).map((l) => l.outcome)).toEqual(['invalid_signature', 'ignored', 'audit_suppressed']);
  });
});
