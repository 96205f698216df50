import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { webhookProbe } from 'agentpr';
import { cleanupTempDirs } from '@agentpr/testing';
import { announceSkip, fetchRaw, freePort, run, substitute, waitFor, which } from './helpers.js';
import { makePrefix as makeNginxPrefix, siteWithCerts as certifiedSite, wrapper } from './nginx-prefix.js';
import { startRecordedWebhook, type RecordedWebhook } from './real-webhook.js';

const SITE = 'nginx/agentpr-webhook.conf';
const nginx = which('nginx');
const openssl = which('openssl');
const skipReason = !nginx
  ? 'nginx is not installed (Debian: apt-get install nginx-light)'
  : !openssl
    ? 'openssl is not installed (Debian: apt-get install openssl)'
    : undefined;
const skip = announceSkip('nginx checks', skipReason);

afterAll(() => cleanupTempDirs());

const makePrefix = () => makeNginxPrefix(openssl!);
const siteWithCerts = (dir: string) => certifiedSite(SITE, dir);

describe.skipIf(skip)('nginx: deploy/nginx/agentpr-webhook.conf', () => {
  it('passes nginx -t inside an http {} block, with no warnings', () => {
    const { dir } = makePrefix();
    writeFileSync(join(dir, 'site.conf'), siteWithCerts(dir));
    writeFileSync(join(dir, 'nginx.conf'), wrapper(dir));
    const r = run(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('syntax is ok');
    expect(r.stderr.split('\n').filter((l) => /\[(warn|error|emerg|crit|alert)\]/.test(l))).toEqual([]);
  });

  it('nginx -t refuses the site when a directive is broken (the check can fail)', () => {
    const { dir } = makePrefix();
    writeFileSync(join(dir, 'site.conf'), substitute(siteWithCerts(dir), 'client_max_body_size    1m;', 'client_max_body_size    one-megabyte;', SITE));
    writeFileSync(join(dir, 'nginx.conf'), wrapper(dir));
    const r = run(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('client_max_body_size');
  });

  describe('running in front of the real webhook server', () => {
    const SECRET = 'deploy-check-nginx-secret-7d2e';
    let prefix: ReturnType<typeof makePrefix>;
    let webhook: RecordedWebhook;
    let child: ChildProcess | undefined;
    let https = '';
    let http = '';
    let ca = '';

    beforeAll(async () => {
      prefix = makePrefix();
      ca = readFileSync(prefix.cert, 'utf8');
      webhook = await startRecordedWebhook(SECRET);
      const [tls, plain] = [await freePort(), await freePort()];
      let site = siteWithCerts(prefix.dir);
      site = substitute(site, /^\s*listen \[::\]:\d+.*\n/m, '', SITE);
      site = substitute(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${tls} ssl http2;`, SITE);
      site = substitute(site, 'listen 80;', `listen 127.0.0.1:${plain};`, SITE);
      site = substitute(site, 'server 127.0.0.1:8787;', `server 127.0.0.1:${webhook.port};`, SITE);
      // The request rate is the one number scaled down, so that the limit_req check is exact on a slow machine:
      // its burst (40) is the template's.
      site = substitute(site, 'rate=20r/s;', 'rate=1r/m;', SITE);
      writeFileSync(join(prefix.dir, 'site.conf'), site);
      writeFileSync(join(prefix.dir, 'nginx.conf'), wrapper(prefix.dir, 'daemon off;'));
      let stderr = '';
      child = spawn(nginx!, ['-p', prefix.dir, '-c', join(prefix.dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      https = `https://127.0.0.1:${tls}`;
      http = `http://127.0.0.1:${plain}`;
      await waitFor(`nginx on ${https} (stderr: ${stderr})`, async () => (await fetchRaw(`${https}/healthz`, { ca })).status === 200);
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await webhook?.close();
    });

    it('passes every webhook-probe check through TLS, with nginx answering the oversize body with 413', async () => {
      const report = await webhookProbe({ url: `${https}/github/webhook`, secret: SECRET, timeoutSec: 10 }, { ca });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      const big = report.checks.find((c) => c.name === 'payload_size_guard')!;
      expect(String(big.response)).toContain('nginx'); // refused at the proxy, before agentpr read a byte
      expect(webhook.seen.filter((s) => s.method === 'POST' && s.headers['content-length'] === String(1024 * 1024 + 1))).toEqual([]);
    });

    it('forwards the real client address, the scheme and a request id to the webhook server', async () => {
      const before = webhook.seen.length;
      expect((await fetchRaw(`${https}/github/webhook`, { ca, headers: { 'X-Forwarded-For': '203.0.113.9' } })).status).toBe(200);
      const seen = webhook.seen.slice(before);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.url).toBe('/github/webhook');
      expect(seen[0]!.headers).toMatchObject({ 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' });
      expect(seen[0]!.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    });

    it('answers GET /healthz with the alive JSON from the webhook path', async () => {
      const r = await fetchRaw(`${https}/healthz`, { ca });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ ok: true, status: 'alive' });
      expect(webhook.seen.at(-1)).toMatchObject({ method: 'GET', url: '/github/webhook' });
    });

    it('exposes nothing else: other paths are 404 and other methods 403, and none reaches agentpr', async () => {
      const before = webhook.seen.length;
      const other = await fetchRaw(`${https}/admin`, { ca });
      expect(other.status).toBe(404);
      expect(JSON.parse(other.body)).toEqual({ ok: false, error: 'not found' });
      expect((await fetchRaw(`${https}/github/webhook/`, { ca })).status).toBe(404);
      expect((await fetchRaw(`${https}/github/webhook`, { ca, method: 'PUT', body: '{}' })).status).toBe(403);
      expect((await fetchRaw(`${https}/healthz`, { ca, method: 'POST', body: '{}' })).status).toBe(403);
      expect(webhook.seen.length).toBe(before);
    });

    it('limit_conn: a 17th request in progress from one address is 429 (JSON, Retry-After) and never reaches agentpr', async () => {
      const held: TLSSocket[] = [];
      try {
        for (let i = 0; i < 16; i++) {
          const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(https).port), ca, servername: 'localhost' });
          socket.on('error', () => {});
          await new Promise((resolve) => socket.once('secureConnect', resolve));
          // Headers without the body: nginx holds the request while it waits for the body (client_body_timeout).
          socket.write(`POST /github/webhook HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
          held.push(socket);
        }
        const before = webhook.seen.length;
        let extra = await fetchRaw(`${https}/healthz`, { ca });
        // nginx counts a held connection once it has read its head: retry briefly until all 16 are counted.
        for (let i = 0; i < 50 && extra.status !== 429; i++) {
          await new Promise((r) => setTimeout(r, 20));
          extra = await fetchRaw(`${https}/healthz`, { ca });
        }
        expect(extra.status).toBe(429);
        expect(extra.headers['retry-after']).toBe('1');
        expect(JSON.parse(extra.body)).toEqual({ ok: false, error: 'too many requests from this address; retry' });
        await waitFor('the limit_conn log line', () => readFileSync(join(prefix.dir, 'logs', 'agentpr-webhook.error.log'), 'utf8').includes('limiting connections by zone "agentpr_webhook_conn"'), 5_000);
        expect(webhook.seen.length - before).toBeLessThanOrEqual(50);
        expect(webhook.seen.slice(before).every((s) => s.method === 'GET')).toBe(true);
      } finally {
        for (const socket of held) socket.destroy();
      }
    });

    it('limit_req: past the burst of 40, requests from one address are 429 and never reach agentpr', async () => {
      const before = webhook.seen.length;
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await fetchRaw(`${https}/healthz`, { ca })).status);
      const passed = statuses.filter((s) => s === 200).length;
      expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(passed).toBeLessThanOrEqual(41);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(19);
      expect(webhook.seen.length - before).toBe(passed);
      await waitFor('the limit_req log line', () => /limiting requests, excess: [\d.]+ by zone "agentpr_webhook_req"/.test(readFileSync(join(prefix.dir, 'logs', 'agentpr-webhook.error.log'), 'utf8')), 5_000);
    });

    it('redirects plain HTTP to HTTPS', async () => {
      const r = await fetchRaw(`${http}/github/webhook`);
      expect(r.status).toBe(301);
      expect(r.headers.location).toMatch(/^https:\/\/[^/]+\/github\/webhook$/);
    });
  });
});
