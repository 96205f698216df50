import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { startBridge, type RunningBridge } from '../start-bridge.js';
import { startEgressProxy, type EgressDecisionEvent, type RunningEgressProxy } from '../start-egress-proxy.js';
import { connectThrough, startTargetServer, viaProxy, type TargetServer } from './fixtures.js';

let allowed: TargetServer;
let other: TargetServer;
let proxy: RunningEgressProxy;
let bridge: RunningBridge;
const resolved: string[] = [];
const events: EgressDecisionEvent[] = [];

beforeAll(async () => {
  allowed = await startTargetServer('allowed');
  other = await startTargetServer('other');
  proxy = await startEgressProxy({
    socketPath: join(tempDir('agentpr-egress-'), 'proxy.sock'),
    rules: [`127.0.0.1:${allowed.port}`, `model.test:${allowed.port}`],
    // A name the test controls: model.test resolves to loopback, which only an IP-literal rule may reach.
    resolve: async (host) => {
      resolved.push(host);
      return host === 'model.test' ? ['127.0.0.1'] : [];
    },
    onDecision: (event) => events.push(event),
    now: () => new Date('2026-01-02T03:04:05.000Z'),
  });
  bridge = await startBridge({ socketPath: proxy.socketPath, port: 0, forwards: [{ listenHost: '127.0.0.2', port: allowed.port, target: `127.0.0.1:${allowed.port}` }] });
});

afterAll(async () => {
  await bridge?.close();
  await proxy?.close();
  await allowed?.close();
  await other?.close();
  cleanupTempDirs();
});

afterEach(() => allowed.releaseSse());

describe('startEgressProxy with startBridge (real sockets, no sandbox)', () => {
  it('an absolute-form GET to an explicitly allowed loopback endpoint is answered through the bridge', async () => {
    const res = await viaProxy(bridge.port, `http://127.0.0.1:${allowed.port}/hello`);
    expect(res).toMatchObject({ status: 200, body: 'hello from allowed' });
    expect(events.at(-1)).toMatchObject({ allowed: true, host: '127.0.0.1', port: allowed.port, method: 'GET', rule: `127.0.0.1:${allowed.port}` });
  });

  it('a POST body streams upstream and Proxy-Authorization and hop-by-hop headers are not forwarded', async () => {
    const res = await viaProxy(bridge.port, `http://127.0.0.1:${allowed.port}/echo`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
      headers: { 'proxy-authorization': 'Basic c2VjcmV0', 'x-drop-me': '1', connection: 'keep-alive, x-drop-me', 'x-keep': 'yes' },
    });
    const echoed = JSON.parse(res.body) as { headers: Record<string, string>; body: string };
    expect(echoed.body).toHaveLength(100_000);
    expect(echoed.headers['x-keep']).toBe('yes');
    expect(echoed.headers.host).toBe(`127.0.0.1:${allowed.port}`);
    expect(echoed.headers['proxy-authorization']).toBeUndefined();
    expect(echoed.headers['x-drop-me']).toBeUndefined();
  });

  it('a keep-alive client reuses its connection to the bridge for a second request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await viaProxy(bridge.port, `http://127.0.0.1:${allowed.port}/hello`, { agent });
      const second = await viaProxy(bridge.port, `http://127.0.0.1:${allowed.port}/hello`, { agent });
      expect(second).toMatchObject({ status: 200, reusedSocket: true });
    } finally {
      agent.destroy();
    }
  });

  it('a CONNECT tunnel to the allowed endpoint carries bytes both ways', async () => {
    const res = await connectThrough(bridge.port, `127.0.0.1:${allowed.port}`);
    expect(res.status).toBe(200);
    expect(res.raw).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello from allowed$/);
  });

  it('a --forward listener reaches the allowed endpoint for a client that uses no proxy at all', async () => {
    const res = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.2', port: allowed.port, path: '/hello' }, (r) => {
        let body = '';
        r.on('data', (chunk: Buffer) => (body += chunk.toString()));
        r.on('end', () => resolve(body));
      })
        .on('error', reject)
        .end();
    });
    expect(res).toBe('hello from allowed');
  });

  it('another loopback port is refused with 403, never reached, and recorded', async () => {
    const before = proxy.stats().denied;
    const res = await viaProxy(bridge.port, `http://127.0.0.1:${other.port}/hello`);
    expect(res.status).toBe(403);
    expect(res.headers['x-agentpr-egress-denied']).toBe('port_not_allowlisted');
    expect(res.body).toContain(`denied GET 127.0.0.1:${other.port} (port_not_allowlisted)`);
    expect(other.hits).toEqual([]);
    expect(proxy.stats().denied).toBe(before + 1);
    expect(proxy.denials().at(-1)).toEqual({ at: '2026-01-02T03:04:05.000Z', host: '127.0.0.1', port: other.port, reason: 'port_not_allowlisted', method: 'GET', detail: expect.any(String) });
  });

  it('a CONNECT to a name not on the allowlist is refused with 403 without any DNS lookup', async () => {
    resolved.length = 0;
    const res = await connectThrough(bridge.port, 'exfil.attacker.example:443');
    expect(res.status).toBe(403);
    expect(res.raw).toContain('host_not_allowlisted');
    expect(resolved).toEqual([]);
    expect(proxy.denials().at(-1)).toMatchObject({ host: 'exfil.attacker.example', port: 443, reason: 'host_not_allowlisted', method: 'CONNECT' });
  });

  it('an allowlisted name that resolves to loopback is refused as loopback_address (DNS checked, not trusted)', async () => {
    const res = await viaProxy(bridge.port, `http://model.test:${allowed.port}/hello`);
    expect(res.status).toBe(403);
    expect(res.headers['x-agentpr-egress-denied']).toBe('loopback_address');
    expect(resolved).toContain('model.test');
  });

  it('a CONNECT to the cloud metadata address is refused', async () => {
    const res = await connectThrough(bridge.port, '169.254.169.254:80');
    expect(res.status).toBe(403);
    expect(proxy.denials().at(-1)).toMatchObject({ host: '169.254.169.254', reason: 'host_not_allowlisted' });
  });

  it('an SSE response streams: the first event arrives while the server is still writing', async () => {
    const first = await new Promise<{ chunk: string; rest: Promise<string> }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: bridge.port, path: `http://127.0.0.1:${allowed.port}/sse`, headers: { host: `127.0.0.1:${allowed.port}` } }, (res) => {
        let all = '';
        const rest = new Promise<string>((done) => res.on('end', () => done(all)));
        res.once('data', (chunk: Buffer) => resolve({ chunk: chunk.toString(), rest }));
        res.on('data', (chunk: Buffer) => (all += chunk.toString()));
      });
      req.on('error', reject);
      req.end();
    });
    expect(first.chunk).toBe('data: first\n\n');
    allowed.releaseSse();
    expect(await first.rest).toBe('data: first\n\ndata: last\n\n');
  });

  it('an origin-form request is answered 400 and recorded as bad_request', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: bridge.port, path: '/hello' }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(res).toBe(400);
    expect(proxy.denials().at(-1)).toMatchObject({ reason: 'bad_request', method: 'GET' });
  });

  it('a request head over the size limit is answered 431', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: bridge.port });
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      socket.write(`GET http://127.0.0.1:${allowed.port}/hello HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(40_000)}\r\n\r\n`);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });
});

describe('startEgressProxy start-up checks', () => {
  it('startEgressProxy on an existing path refuses with socket_path_exists and leaves the file alone', async () => {
    const dir = tempDir('agentpr-egress-');
    const path = join(dir, 'proxy.sock');
    writeFileSync(path, 'not a socket');
    await expect(startEgressProxy({ socketPath: path, rules: [] })).rejects.toMatchObject({ code: 'socket_path_exists' });
    expect(existsSync(path)).toBe(true);
  });

  it('startEgressProxy in a directory others can enter refuses with socket_dir_unsafe', async () => {
    const dir = join(tempDir('agentpr-egress-'), 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await expect(startEgressProxy({ socketPath: join(dir, 'proxy.sock'), rules: [] })).rejects.toMatchObject({ code: 'socket_dir_unsafe' });
  });

  it('startEgressProxy with a bad rule refuses with invalid_rule naming it and creates nothing', async () => {
    const dir = join(tempDir('agentpr-egress-'), 'sock');
    await expect(startEgressProxy({ socketPath: join(dir, 'proxy.sock'), rules: ['https://x.com'] })).rejects.toMatchObject({ code: 'invalid_rule', message: expect.stringContaining('"https://x.com"') });
    expect(existsSync(dir)).toBe(false);
  });

  it('close removes the socket and the directory the proxy made', async () => {
    const dir = join(tempDir('agentpr-egress-'), 'sock');
    const running = await startEgressProxy({ socketPath: join(dir, 'proxy.sock'), rules: [] });
    expect(existsSync(running.socketPath)).toBe(true);
    await running.close();
    expect(existsSync(dir)).toBe(false);
  });
});
