import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { verify } from '@octokit/webhooks-methods';
import { cleanupTempDirs, freshDatabase, tempDir } from '@agentpr/testing';
import { main } from '../main.js';

const SECRET = 'probe-test-secret-5f1c9e';
const MAX = 1024 * 1024;

afterAll(() => cleanupTempDirs());

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

async function probe(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(String(chunk));
        cb();
      },
    });
  const code = await main(['webhook-probe', '--data-dir', tempDir('agentpr-probe-home-'), ...args], {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { PATH: process.env.PATH, ...env },
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, stderr, json };
}

type SizeMode =
  /** Refuse by Content-Length before reading, then close the connection at once. */
  | 'declared'
  /** Ignore Content-Length: read until `limit` is passed, answer 413 and reset the connection mid-upload. */
  | 'read-then-reset';

interface FakeOptions {
  secret?: string;
  dedup?: boolean;
  sizeMode?: SizeMode;
  limit?: number;
  /** Accept the connection and never answer. */
  hang?: boolean;
}

interface FakeWebhook {
  url: string;
  deliveries: string[];
  headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const servers: FakeWebhook[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Just enough of the webhook server: path, size, headers, signature, dedup by delivery id. */
async function fakeWebhook(options: FakeOptions = {}): Promise<FakeWebhook> {
  const secret = options.secret ?? SECRET;
  const limit = options.limit ?? MAX;
  const reserved = new Map<string, string>();
  const deliveries: string[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const sockets = new Set<Socket>();
  const json = (res: ServerResponse, status: number, body: unknown, close = false) => {
    res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    headers.push(req.headers);
    if (options.hang) return;
    if (req.method !== 'POST' || req.url !== '/github/webhook') return json(res, 404, { ok: false, error: 'not found' });
    const event = String(req.headers['x-github-event'] ?? '');
    const delivery = String(req.headers['x-github-delivery'] ?? '');
    const declared = Number(req.headers['content-length'] ?? '0');
    if ((options.sizeMode ?? 'declared') === 'declared' && declared > limit) {
      json(res, 413, { ok: false, event, delivery, error: `payload too large: ${declared} bytes (max=${limit})` }, true);
      res.on('finish', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        refused = true;
        json(res, 413, { ok: false, event, delivery, error: `payload too large after read: ${size} bytes (max=${limit})` }, true);
        res.on('finish', () => req.socket.resetAndDestroy());
      }
    });
    req.on('end', async () => {
      if (refused) return;
      const body = Buffer.concat(chunks).toString('utf8');
      if (!event) return json(res, 400, { ok: false, error: 'missing X-GitHub-Event header' });
      if (!delivery) return json(res, 400, { ok: false, error: 'missing X-GitHub-Delivery header' });
      const signature = String(req.headers['x-hub-signature-256'] ?? '');
      if (!signature.startsWith('sha256=') || !(await verify(secret, body, signature).catch(() => false))) {
        return json(res, 401, { ok: false, error: 'invalid webhook signature' });
      }
      deliveries.push(delivery);
      const hash = createHash('sha256').update(body).digest('hex');
      if (options.dedup !== false && reserved.has(delivery)) {
        return reserved.get(delivery) === hash
          ? json(res, 200, { ok: true, event, delivery, duplicate_delivery: true })
          : json(res, 409, { ok: false, error: 'delivery id reused with different payload' });
      }
      reserved.set(delivery, hash);
      json(res, 200, { ok: true, event, delivery, processed: 0, ignored: 1, retryable_failures: 0, failures: [], results: [{ message: 'no run found' }] });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeWebhook = {
    url: `http://127.0.0.1:${port}/github/webhook`,
    deliveries,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

const names = ['signed_delivery_accept', 'delivery_replay_dedup', 'invalid_signature_reject', 'payload_size_guard'];

describe('agentpr webhook-probe', () => {
  it('against a conforming server passes every check, exits 0 and never prints the secret', async () => {
    const server = await fakeWebhook();
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, url: server.url });
    expect(r.json.checks.map((c: any) => c.name)).toEqual(names);
    for (const c of r.json.checks) expect(c, c.name).toMatchObject({ ok: true, error: '' });
    expect(r.json.checks.map((c: any) => c.status_code)).toEqual([200, 200, 401, 413]);
    expect(r.json.checks[1].response).toMatchObject({ duplicate_delivery: true });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const signed = server.headers.filter((h) => h['x-github-event'] === 'check_run');
    expect(signed).toHaveLength(2);
    expect(signed[0]!['x-github-delivery']).toBe(signed[1]!['x-github-delivery']);
  });

  it('run twice against the same server passes both times, with a fresh delivery id per run', async () => {
    const server = await fakeWebhook();
    const first = await probe(['--url', server.url, '--secret', SECRET]);
    const second = await probe(['--url', server.url, '--secret', SECRET]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(second.json.checks[0]).toMatchObject({ name: 'signed_delivery_accept', ok: true, status_code: 200 });
    expect(second.json.checks[0].response.duplicate_delivery).toBeUndefined();
    expect(new Set(server.deliveries).size).toBe(2);
  });

  it('reads the secret from AGENTPR_GITHUB_WEBHOOK_SECRET when --secret is not given', async () => {
    const server = await fakeWebhook();
    const r = await probe(['--url', server.url], { AGENTPR_GITHUB_WEBHOOK_SECRET: SECRET });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('keeps the 413 when the server refuses by Content-Length and closes the connection at once', async () => {
    const server = await fakeWebhook({ sizeMode: 'declared' });
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.json.checks[3]).toMatchObject({ name: 'payload_size_guard', ok: true, status_code: 413, response: { error: `payload too large: ${MAX + 1} bytes (max=${MAX})` } });
  });

  it('keeps the 413 when the server answers mid-upload and resets the connection', async () => {
    // The server's limit is far below what the probe sends, so the probe is still writing when the reset comes.
    const server = await fakeWebhook({ sizeMode: 'read-then-reset', limit: 64 * 1024 });
    for (let i = 0; i < 2; i++) {
      const r = await probe(['--url', server.url, '--secret', SECRET, '--max-payload-bytes', String(8 * MAX)]);
      expect(r.json.checks[3], `attempt ${i}`).toMatchObject({ name: 'payload_size_guard', ok: true, status_code: 413 });
      expect(r.code).toBe(0);
    }
  });

  it('with a wrong secret fails signed_delivery_accept with 401 and a hint, exits 1, and does not print either secret', async () => {
    const server = await fakeWebhook({ secret: 'the-server-secret-0a9d' });
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.checks[0]).toMatchObject({ name: 'signed_delivery_accept', ok: false, status_code: 401 });
    expect(r.json.checks[0].error).toContain('AGENTPR_GITHUB_WEBHOOK_SECRET');
    expect(r.json.checks[2]).toMatchObject({ name: 'invalid_signature_reject', ok: true });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(r.stdout + r.stderr).not.toContain('the-server-secret-0a9d');
  });

  it('against a server that does not deduplicate fails delivery_replay_dedup only', async () => {
    const server = await fakeWebhook({ dedup: false });
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.code).toBe(1);
    expect(r.json.checks.filter((c: any) => !c.ok).map((c: any) => c.name)).toEqual(['delivery_replay_dedup']);
    expect(r.json.checks[1].error).toContain('duplicate_delivery');
  });

  it('against a server that ignores the size limit fails payload_size_guard with the 200 it got', async () => {
    const server = await fakeWebhook({ limit: 64 * MAX });
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.code).toBe(1);
    expect(r.json.checks[3]).toMatchObject({ name: 'payload_size_guard', ok: false });
    expect(r.json.checks[3].status_code).not.toBe(413);
  });

  it('against a closed port reports status 0 with the connection error for every check and exits 1', async () => {
    const server = await fakeWebhook();
    await server.close();
    const r = await probe(['--url', server.url, '--secret', SECRET]);
    expect(r.code).toBe(1);
    for (const c of r.json.checks) expect(c).toMatchObject({ ok: false, status_code: 0, response: null, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('against a server that never answers times out each check after --timeout-sec', async () => {
    const server = await fakeWebhook({ hang: true });
    const started = Date.now();
    const r = await probe(['--url', server.url, '--secret', SECRET, '--timeout-sec', '1']);
    expect(r.code).toBe(1);
    for (const c of r.json.checks) expect(c).toMatchObject({ ok: false, status_code: 0, error: expect.stringContaining('timed out after 1s') });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('strips user:password from the reported URL', async () => {
    const server = await fakeWebhook();
    const withCreds = server.url.replace('http://', 'http://user:pa55word@');
    const r = await probe(['--url', withCreds, '--secret', SECRET]);
    expect(r.json.url).toBe(server.url);
    expect(r.stdout).not.toContain('pa55word');
  });

  it.each([
    [['--url', 'ftp://example.com/github/webhook', '--secret', 's'], 'url: must be an http:// or https:// URL'],
    [['--url', 'not a url', '--secret', 's'], 'url: must be an http:// or https:// URL'],
    [['--url', 'http://127.0.0.1:9/github/webhook', '--secret', 's', '--max-payload-bytes', '100'], '--max-payload-bytes must be at least 1024'],
    [['--url', 'http://127.0.0.1:9/github/webhook', '--secret', 's', '--timeout-sec', '0'], '--timeout-sec must be at least 1'],
    [['--url', 'http://127.0.0.1:9/github/webhook'], 'pass --secret or set AGENTPR_GITHUB_WEBHOOK_SECRET'],
    [['--secret', 's'], '--url is required'],
  ])('with bad input %j exits 2 with one line naming the problem', async (args, message) => {
    const r = await probe(args);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: expect.stringContaining(message) });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('agentpr webhook-probe against the real webhook server', () => {
  it('passes every check against startWebhookServer on a fresh SQLite store, twice', async () => {
    const orchestrator = (await import('@agentpr/orchestrator')) as Record<string, any>;
    const webhook = (await import('@agentpr/webhook-app')) as Record<string, any>;
    const { openStore } = await import('@agentpr/store');
    const db = await freshDatabase('sqlite');
    const store = await openStore(db.location);
    const dataDir = tempDir('agentpr-probe-data-');
    const ctx = {
      db: store.db,
      dialect: store.dialect,
      clock: () => new Date(),
      env: {},
      actor: 'webhook',
      log: { info() {}, warn() {}, error() {} },
      paths: orchestrator.dataDirPaths(dataDir),
    };
    const server = await webhook.startWebhookServer({ ctx, port: 0, secret: SECRET, auditLogFile: `${dataDir}/reports/audit.jsonl` });
    try {
      const url = `${server.url}${server.path}`;
      for (const run of [1, 2]) {
        const r = await probe(['--url', url, '--secret', SECRET]);
        expect(r.json?.checks?.filter((c: any) => !c.ok), `run ${run}: ${r.stdout}${r.stderr}`).toEqual([]);
        expect(r.code).toBe(0);
      }
    } finally {
      await server.close();
      await store.close();
      await db.drop();
    }
  });
});
