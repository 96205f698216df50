import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { cleanupTempDirs } from '@agentpr/testing';
import { announceSkip, fetchRaw, freePort, run, substitute, waitFor, which } from './helpers.js';
import { makePrefix, siteWithCerts, wrapper } from './nginx-prefix.js';
import { DASHBOARD_TOKEN, dashboardCommand, seededStore, startDashboard, type DashboardProcess, type SeededStore } from './real-dashboard.js';

const SITE = 'nginx/agentpr-dashboard.conf';
const nginx = which('nginx');
const openssl = which('openssl');
const skip = announceSkip(
  'nginx dashboard checks',
  !nginx ? 'nginx is not installed (Debian: apt-get install nginx-light)' : !openssl ? 'openssl is not installed (Debian: apt-get install openssl)' : undefined,
);

afterAll(() => cleanupTempDirs());

/** nginx -t on `sites` (file name → text) in one http {} block: exit code and warnings. */
function nginxTest(sites: Record<string, string>, dir: string): { code: number; stderr: string; warnings: string[] } {
  for (const [name, text] of Object.entries(sites)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'nginx.conf'), wrapper(dir, '', Object.keys(sites)));
  const r = run(nginx!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr']);
  return { code: r.code, stderr: r.stderr, warnings: r.stderr.split('\n').filter((l) => /\[(warn|error|emerg|crit|alert)\]/.test(l)) };
}

/**
 * Opens `path` over TLS and collects the body as it streams, without waiting for the end. Resolves with the status,
 * the headers, what has arrived so far (a getter) and a way to close the request.
 */
function openStream(url: string, headers: Record<string, string>, ca: string) {
  type Stream = { status: number; headers: Record<string, unknown>; received: () => string; ended: () => boolean; close: () => void };
  return new Promise<Stream>((resolve, reject) => {
    const req = httpsRequest(url, { headers, ca, agent: false }, (res) => {
      let body = '';
      let ended = false;
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => (ended = true));
      res.on('error', () => (ended = true));
      resolve({ status: res.statusCode ?? 0, headers: res.headers, received: () => body, ended: () => ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skip)('nginx: deploy/nginx/agentpr-dashboard.conf', () => {
  it('passes nginx -t inside an http {} block, alone and together with the webhook site, with no warnings', () => {
    const { dir } = makePrefix(openssl!);
    const alone = nginxTest({ 'dashboard.conf': siteWithCerts(SITE, dir) }, dir);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.warnings).toEqual([]);
    const both = nginxTest({ 'dashboard.conf': siteWithCerts(SITE, dir), 'webhook.conf': siteWithCerts('nginx/agentpr-webhook.conf', dir) }, dir);
    expect(both.code, both.stderr).toBe(0);
    expect(both.warnings).toEqual([]);
  });

  it('nginx -t refuses the site when a directive is broken (the check can fail)', () => {
    const { dir } = makePrefix(openssl!);
    const broken = nginxTest({ 'dashboard.conf': substitute(siteWithCerts(SITE, dir), 'proxy_buffering off;', 'proxy_buffering sometimes;', SITE) }, dir);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('proxy_buffering');
  });

  const command = dashboardCommand(0);
  describe.skipIf(command === undefined)('running in front of the real dashboard', () => {
    let prefix: ReturnType<typeof makePrefix>;
    let store: SeededStore;
    let dashboard: DashboardProcess;
    let child: ChildProcess | undefined;
    let https = '';
    let http = '';
    let ca = '';
    const auth = { Authorization: `Bearer ${DASHBOARD_TOKEN}` };

    beforeAll(async () => {
      prefix = makePrefix(openssl!);
      ca = readFileSync(prefix.cert, 'utf8');
      store = await seededStore();
      const port = await freePort();
      dashboard = await startDashboard(dashboardCommand(port)!, store.dataDir, port);
      const [tls, plain] = [await freePort(), await freePort()];
      let site = siteWithCerts(SITE, prefix.dir);
      site = substitute(site, /^\s*listen \[::\]:\d+.*\n/m, '', SITE);
      site = substitute(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${tls} ssl http2;`, SITE);
      site = substitute(site, 'listen 80;', `listen 127.0.0.1:${plain};`, SITE);
      site = substitute(site, 'server 127.0.0.1:8790;', `server 127.0.0.1:${port};`, SITE);
      // The sign-in rate is the one number scaled down, so that the limit_req check is exact on a slow machine: its
      // burst (10) is the template's.
      site = substitute(site, 'rate=10r/m;', 'rate=1r/m;', SITE);
      writeFileSync(join(prefix.dir, 'site.conf'), site);
      writeFileSync(join(prefix.dir, 'nginx.conf'), wrapper(prefix.dir, 'daemon off;'));
      let stderr = '';
      child = spawn(nginx!, ['-p', prefix.dir, '-c', join(prefix.dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      https = `https://127.0.0.1:${tls}`;
      http = `http://127.0.0.1:${plain}`;
      await waitFor(() => `nginx on ${https} (stderr: ${stderr})`, async () => (await fetchRaw(`${https}/healthz`, { ca })).status === 200);
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await dashboard?.stop();
      await store?.closeWriter();
    });

    it('serves the open health check, and the pages only with the token', async () => {
      const health = await fetchRaw(`${https}/healthz`, { ca });
      expect([health.status, JSON.parse(health.body)]).toEqual([200, { ok: true }]);
      expect((await fetchRaw(`${https}/`, { ca })).status).toBe(401);
      const page = await fetchRaw(`${https}/runs/${store.runId}`, { ca, headers: auth });
      expect(page.status).toBe(200);
      expect(page.body).toContain(store.runId);
    });

    it('passes the browser’s host and the https scheme: the login form signs in with a Secure, HttpOnly session cookie', async () => {
      const origin = https;
      const body = new URLSearchParams({ token: DASHBOARD_TOKEN, next: `/runs/${store.runId}` }).toString();
      const headers = { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) };
      const signIn = await fetchRaw(`${https}/login`, { ca, method: 'POST', headers, body });
      expect(signIn.status, signIn.body.slice(0, 300)).toBe(303);
      expect(signIn.headers.location).toBe(`/runs/${store.runId}`);
      const cookie = String(signIn.headers['set-cookie'] ?? '');
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; HttpOnly/i);
      const page = await fetchRaw(`${https}/runs/${store.runId}`, { ca, headers: { Cookie: cookie.split(';')[0]! } });
      expect(page.status).toBe(200);
    });

    it('streams /live unbuffered: the ready comment and a run change arrive while the stream stays open', async () => {
      const live = await openStream(`${https}/live`, { ...auth, Accept: 'text/event-stream' }, ca);
      try {
        expect(live.status).toBe(200);
        expect(String(live.headers['content-type'])).toContain('text/event-stream');
        await waitFor(() => `the ready comment through nginx (got ${JSON.stringify(live.received())})`, () => live.received().includes(': ready'), 10_000);
        await store.moveRun();
        await waitFor(() => `a runs event naming ${store.runId} (got ${JSON.stringify(live.received())})`, () => /event: runs\ndata: .*run_deploy_check_dashboard/.test(live.received()), 15_000);
        expect(live.ended()).toBe(false);
      } finally {
        live.close();
      }
    });

    it('takes only GET/HEAD, POST /login and POST /logout: anything else is refused by nginx', async () => {
      for (const [method, path] of [['PUT', '/'], ['POST', '/'], ['DELETE', `/runs/${store.runId}`], ['POST', '/live'], ['GET', '/logout'], ['PATCH', '/login']]) {
        const r = await fetchRaw(`${https}${path}`, { ca, method: method!, headers: auth, body: method === 'GET' ? undefined : '' });
        expect([`${method} ${path}`, r.status]).toEqual([`${method} ${path}`, 403]);
        expect(r.body).toContain('nginx');
      }
      expect((await fetchRaw(`${https}/runs/${store.runId}`, { ca, method: 'HEAD', headers: auth })).status).toBe(200);
    });

    it('limits sign-ins per address at the edge: past the burst, attempts are 429 from nginx', async () => {
      const body = 'token=wrong-token-0123456789&next=%2F';
      const headers = { Origin: https, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) };
      const answers: Array<{ status: number; nginx: boolean }> = [];
      for (let i = 0; i < 16; i++) {
        const r = await fetchRaw(`${https}/login`, { ca, method: 'POST', headers, body });
        answers.push({ status: r.status, nginx: r.status === 429 && r.body.includes('nginx') });
      }
      // At most the rate's one and the burst's ten reach the dashboard (which refuses the token itself; the checks before
      // this one took a few); from the first refusal at the edge on, every attempt stops there.
      const first = answers.findIndex((a) => a.nginx);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(11);
      expect(answers.slice(first).every((a) => a.nginx)).toBe(true);
      await waitFor('the limit_req log line', () => /limiting requests, excess: [\d.]+ by zone "agentpr_dashboard_login"/.test(readFileSync(join(prefix.dir, 'logs', 'agentpr-dashboard.error.log'), 'utf8')), 5_000);
    });

    it('redirects plain HTTP to HTTPS', async () => {
      const r = await fetchRaw(`${http}/runs/x`);
      expect(r.status).toBe(301);
      expect(r.headers.location).toMatch(/^https:\/\/[^/]+\/runs\/x$/);
    });
  });
});
