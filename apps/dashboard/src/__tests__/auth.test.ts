import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { CSS_ASSET } from '../assets/index.js';
import { assertBindAllowed, dashboardToken, isLoopbackHost, requestClient } from '../auth.js';
import { startDashboard, type RunningDashboard } from '../run-dashboard.js';
import { sameOriginPath } from '../local-path.js';
import { SESSION_COOKIE, SESSION_MAX_AGE_S, sessionValid, sessionValue } from '../session.js';
import { openDashboardForTest, openTestDeps, seedDashboardStore, type TestDashboard } from './seed.js';

// The token check over HTTP (`app.request`): loopback without a token, bearer, the login form and its cookie,
// wrong tokens, the per-address rate limit, safe `next` redirects, and the origin check on the form.

const TOKEN = 'dash-token-0123456789-abcdefghij';
const HTML = { accept: 'text/html,application/xhtml+xml' };
let open: TestDashboard;
let guarded: TestDashboard;
let dbPath: string;

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-auth-'));
  await seed.close();
  dbPath = seed.dbPath;
  open = await openDashboardForTest(dbPath);
  guarded = await openDashboardForTest(dbPath, { token: TOKEN });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  cleanupTempDirs();
});

/** hono's node bindings, as @hono/node-server passes them: the peer address the rate limit counts by. */
function from(address: string) {
  return { incoming: { socket: { remoteAddress: address } } };
}

function login(dash: TestDashboard, token: string, opts: { next?: string; headers?: Record<string, string>; address?: string } = {}) {
  const body = new URLSearchParams({ token, ...(opts.next === undefined ? {} : { next: opts.next }) });
  return dash.app.request(
    '/login',
    { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers } },
    from(opts.address ?? '192.0.2.1'),
  );
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.get('set-cookie') ?? '';
  const value = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(cookie)?.[1];
  expect(value, cookie).toBeDefined();
  return `${SESSION_COOKIE}=${value}`;
}

describe('without a token (loopback)', () => {
  it('every page answers without credentials and shows no sign-out button', async () => {
    const res = await open.app.request('/approvals', { headers: HTML });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('action="/logout"');
    expect((await open.app.request('/live', { method: 'HEAD' })).status).toBe(200);
  });

  it('the login page says no sign-in is needed and POST /login just goes to next', async () => {
    expect(await (await open.app.request('/login')).text()).toContain('needs no sign-in');
    const res = await login(open, 'anything', { next: '/webhook' });
    expect([res.status, res.headers.get('location'), res.headers.get('set-cookie')]).toEqual([303, '/webhook', null]);
  });
});

describe('with a token', () => {
  it('a browser without credentials is sent to /login with the page as next; the runs page without next', async () => {
    const res = await guarded.app.request('/approvals?x=1&fragment=main', { headers: HTML });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fapprovals%3Fx%3D1');
    expect((await guarded.app.request('/', { headers: HTML })).headers.get('location')).toBe('/login');
  });

  it('a client that does not ask for HTML gets 401 with WWW-Authenticate: Bearer, the live stream included', async () => {
    for (const path of ['/', '/runs/x', '/live', '/no-such-page']) {
      const res = await guarded.app.request(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toBe('Bearer realm="agentpr-dashboard"');
      expect(await res.text()).not.toContain(TOKEN);
    }
  });

  it('/healthz, /login and the assets are open', async () => {
    expect((await guarded.app.request('/healthz')).status).toBe(200);
    expect(await (await guarded.app.request('/healthz')).json()).toEqual({ ok: true });
    expect((await guarded.app.request(CSS_ASSET.path)).status).toBe(200);
    const form = await guarded.app.request('/login?next=/webhook', { headers: HTML });
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<label for="token">');
    expect(html).toMatch(/<input id="token" name="token" type="password"/);
    expect(html).toContain('<input type="hidden" name="next" value="/webhook"/>');
    expect(html).not.toContain('data-live');
  });

  it('the right bearer token lets a request in; a wrong one is 401 invalid_token', async () => {
    const ok = await guarded.app.request('/approvals', { headers: { authorization: `Bearer ${TOKEN}` } }, from('192.0.2.50'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toContain(TOKEN);
    const bad = await guarded.app.request('/approvals', { headers: { authorization: `Bearer ${TOKEN}x` } }, from('192.0.2.50'));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer realm="agentpr-dashboard", error="invalid_token"');
  });

  it('POST /login with the token sets an HttpOnly, SameSite=Strict session cookie holding no token, and goes to next', async () => {
    const res = await login(guarded, TOKEN, { next: '/webhook?x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/webhook?x=1');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).toContain(`Max-Age=${SESSION_MAX_AGE_S}`);
    expect(setCookie).not.toContain('Secure');
    expect(setCookie).not.toContain(TOKEN);
    const cookie = sessionCookie(res);
    const page = await guarded.app.request('/webhook', { headers: { ...HTML, cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/logout">');
    expect(html).not.toContain(TOKEN);
    expect((await guarded.app.request('/login?next=/approvals', { headers: { cookie } })).headers.get('location')).toBe('/approvals');
  });

  it('the cookie is Secure when the request came over https; an untrusted peer’s X-Forwarded-Proto does not make it so', async () => {
    const body = new URLSearchParams({ token: TOKEN }).toString();
    const direct = await guarded.app.request('https://localhost/login', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, from('192.0.2.60'));
    expect(direct.headers.get('set-cookie')).toContain('Secure');
    const claimed = await login(guarded, TOKEN, { headers: { 'x-forwarded-proto': 'https' }, address: '192.0.2.61' });
    expect(claimed.status).toBe(303);
    expect(claimed.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('a wrong token is 401 with the form and an alert, sets no cookie and does not echo what was sent', async () => {
    const res = await login(guarded, 'not-the-token-but-long-enough', { next: '/approvals', address: '192.0.2.2' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('value="/approvals"');
    expect(html).not.toContain('not-the-token-but-long-enough');
  });

  it('a tampered or expired session cookie is not accepted', async () => {
    const cookie = sessionCookie(await login(guarded, TOKEN, { address: '192.0.2.3' }));
    const tampered = `${cookie.slice(0, -2)}${cookie.endsWith('A') ? 'B' : 'A'}${cookie.slice(-1)}`;
    expect((await guarded.app.request('/approvals', { headers: { ...HTML, cookie: tampered } })).status).toBe(303);
    const at = new Date('2026-01-01T00:00:00Z');
    const value = sessionValue(TOKEN, at);
    expect(sessionValid(value, TOKEN, new Date(at.getTime() + 60_000))).toBe(true);
    expect(sessionValid(value, TOKEN, new Date(at.getTime() + (SESSION_MAX_AGE_S + 1) * 1000))).toBe(false);
    expect(sessionValid(value, `${TOKEN}-rotated`, at)).toBe(false);
    expect(sessionValid(TOKEN, TOKEN, at)).toBe(false);
  });

  it('after 10 failed sign-ins an address gets 429 with Retry-After, even with the right token; other addresses are not held', async () => {
    const address = '198.51.100.7';
    for (let i = 0; i < 10; i++) expect((await login(guarded, `wrong-${i}-xxxxxxxxxxxxxxxx`, { address })).status).toBe(401);
    const held = await login(guarded, TOKEN, { address });
    expect(held.status).toBe(429);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    const bearer = await guarded.app.request('/', { headers: { authorization: `Bearer ${TOKEN}` } }, from(address));
    expect(bearer.status).toBe(429);
    expect((await login(guarded, TOKEN, { address: '198.51.100.8' })).status).toBe(303);
  });

  it('wrong bearer tokens count towards the same limit', async () => {
    const address = '198.51.100.9';
    for (let i = 0; i < 10; i++) {
      expect((await guarded.app.request('/', { headers: { authorization: 'Bearer wrong-token-value-000' } }, from(address))).status).toBe(401);
    }
    expect((await login(guarded, TOKEN, { address })).status).toBe(429);
  });

  it.each([
    ['//evil.com', '/'],
    ['//evil.com/runs', '/'],
    ['/\\evil.com', '/'],
    ['https://evil.com/', '/'],
    ['javascript:alert(1)', '/'],
    ['/%0d%0aSet-Cookie:x=1', '/%0d%0aSet-Cookie:x=1'],
    ['/runs/run_1?x=1&fragment=main', '/runs/run_1?x=1'],
  ])('POST /login with next=%s goes to %s', async (next, location) => {
    const res = await login(guarded, TOKEN, { next, address: '203.0.113.1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(location);
  });

  it('a cross-site login is refused (Origin of another host, or Sec-Fetch-Site other than same-origin); a same-origin one passes', async () => {
    const evil = await login(guarded, TOKEN, { headers: { origin: 'https://evil.example' }, address: '203.0.113.2' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('set-cookie')).toBeNull();
    expect((await login(guarded, TOKEN, { headers: { 'sec-fetch-site': 'cross-site' }, address: '203.0.113.2' })).status).toBe(403);
    expect((await login(guarded, TOKEN, { headers: { origin: 'null' }, address: '203.0.113.2' })).status).toBe(403);
    const same = await login(guarded, TOKEN, { headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }, address: '203.0.113.2' });
    expect(same.status).toBe(303);
  });

  it('a login body that is not a form, or too large, changes nothing', async () => {
    const json = await guarded.app.request('/login', { method: 'POST', body: JSON.stringify({ token: TOKEN }), headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(400);
    expect(json.headers.get('set-cookie')).toBeNull();
    const big = await login(guarded, 'x'.repeat(20_000));
    expect(big.status).toBe(413);
  });

  it('POST /logout clears the cookie and goes to /login', async () => {
    const res = await guarded.app.request('/logout', { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0;`));
    expect((await guarded.app.request('/logout', { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });
});

describe('token and bind rules', () => {
  it('AGENTPR_DASHBOARD_TOKEN is trimmed, blank means none, and under 16 characters is refused (usage)', () => {
    expect(dashboardToken(`  ${TOKEN}\n`)).toBe(TOKEN);
    expect(dashboardToken('   ')).toBeUndefined();
    expect(dashboardToken(undefined)).toBeUndefined();
    expect(() => dashboardToken('short-token')).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringContaining('at least 16') }));
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['::ffff:10.0.0.1', false],
    ['dashboard.example.com', false],
    ['128.0.0.1', false],
  ])('isLoopbackHost(%s) is %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('a non-loopback bind needs the token', () => {
    expect(() => assertBindAllowed('0.0.0.0', undefined)).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringContaining('AGENTPR_DASHBOARD_TOKEN') }));
    expect(() => assertBindAllowed('0.0.0.0', TOKEN)).not.toThrow();
    expect(() => assertBindAllowed('127.0.0.1', undefined)).not.toThrow();
  });

  it('sameOriginPath keeps paths on this dashboard only', () => {
    expect(sameOriginPath('/runs/a%2Fb?x=1')).toBe('/runs/a%2Fb?x=1');
    expect(sameOriginPath('/\tevil')).toBe('/');
    expect(sameOriginPath('/./..//evil.com')).toBe('/');
    expect(sameOriginPath(undefined)).toBe('/');
    expect(sameOriginPath(`/${'a'.repeat(3000)}`)).toBe('/');
  });
});

describe('behind a reverse proxy (--trusted-proxy), over a real server on 127.0.0.1', () => {
  /** Starts the dashboard with the token, trusting `trustedProxies`; the test's own requests come from 127.0.0.1. */
  async function serveBehind(trustedProxies: string[]): Promise<RunningDashboard & { stop(): Promise<void> }> {
    const { deps, close } = await openTestDeps(dbPath);
    const running = await startDashboard(deps, { host: '127.0.0.1', port: 0, token: TOKEN, livePollMs: 1000, trustedProxies });
    return { ...running, stop: async () => { await running.close(); await close(); } };
  }

  const wrongBearer = (url: string, realIp: string) =>
    fetch(`${url}approvals`, { headers: { authorization: 'Bearer wrong-token-value-000', 'x-real-ip': realIp } });
  const rightBearer = (url: string, realIp: string) => fetch(`${url}approvals`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-real-ip': realIp } });

  it('two clients behind a trusted proxy have separate failure counters', async () => {
    const dash = await serveBehind(['127.0.0.1']);
    try {
      for (let i = 0; i < 10; i++) expect((await wrongBearer(dash.info.url, '203.0.113.10')).status).toBe(401);
      expect((await rightBearer(dash.info.url, '203.0.113.10')).status).toBe(429);
      expect((await rightBearer(dash.info.url, '203.0.113.11')).status).toBe(200);
    } finally {
      await dash.stop();
    }
  });

  it('an untrusted peer’s X-Real-IP is ignored: every client it names shares the peer’s counter', async () => {
    const dash = await serveBehind(['192.0.2.99']);
    try {
      for (let i = 0; i < 10; i++) expect((await wrongBearer(dash.info.url, `203.0.113.${20 + i}`)).status).toBe(401);
      expect((await rightBearer(dash.info.url, '203.0.113.99')).status).toBe(429);
    } finally {
      await dash.stop();
    }
  });

  it('a trusted proxy’s X-Forwarded-Proto: https makes the session cookie Secure; an untrusted peer’s does not', async () => {
    const post = (url: string) =>
      fetch(`${url}login`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ token: TOKEN }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', 'x-real-ip': '203.0.113.40' },
      });
    const trusted = await serveBehind(['127.0.0.1']);
    const untrusted = await serveBehind([]);
    try {
      const behind = await post(trusted.info.url);
      expect(behind.status).toBe(303);
      expect(behind.headers.get('set-cookie')).toContain('Secure');
      const direct = await post(untrusted.info.url);
      expect(direct.status).toBe(303);
      expect(direct.headers.get('set-cookie')).not.toContain('Secure');
    } finally {
      await trusted.stop();
      await untrusted.stop();
    }
  });

  it.each([
    ['the peer without a trusted proxy', '127.0.0.1', { 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'https' }, [], { address: '127.0.0.1', forwardedHttps: false }],
    ['X-Real-IP and the scheme of a trusted proxy', '::ffff:127.0.0.1', { 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'https' }, ['127.0.0.1'], { address: '203.0.113.9', forwardedHttps: true }],
    ['the peer when X-Real-IP is not an address', '127.0.0.1', { 'x-real-ip': '<script>' }, ['127.0.0.1'], { address: '127.0.0.1', forwardedHttps: false }],
    ['unknown without a socket', undefined, {}, ['127.0.0.1'], { address: 'unknown', forwardedHttps: false }],
  ] as const)('requestClient gives %s', (_name, peer, headers, trusted, expected) => {
    expect(requestClient({ socket: { remoteAddress: peer }, headers }, trusted)).toEqual(expected);
  });
});
