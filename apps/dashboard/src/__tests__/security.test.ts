import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { CSS_ASSET, LIVE_ASSET } from '../assets/index.js';
import { CONTENT_SECURITY_POLICY } from '../security-headers.js';
import { openDashboardForTest, SEED_CAMPAIGNS, SEED_RUN_IDS, seedDashboardStore, type TestDashboard } from './seed.js';

// The security headers on every answer, the method guard, the 404 page, and pages free of inline script and style
// (the CSP forbids them), over the shared seed through a read-only store.

let dash: TestDashboard;

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-security-'));
  await seed.close();
  dash = await openDashboardForTest(seed.dbPath);
});

afterAll(async () => {
  await dash?.close();
  cleanupTempDirs();
});

const PAGES = [
  '/',
  '/?state=DONE',
  `/runs/${encodeURIComponent(SEED_RUN_IDS.iterating)}`,
  `/runs/${encodeURIComponent(SEED_RUN_IDS.hostile)}`,
  '/approvals',
  '/bottlenecks',
  '/campaigns',
  `/campaigns/${encodeURIComponent(SEED_CAMPAIGNS.deps)}`,
  '/webhook',
  '/login',
];

function expectSecurityHeaders(res: Response, what: string): void {
  expect(res.headers.get('content-security-policy'), what).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
}

describe('security headers', () => {
  it('the CSP is the strict one: self-only scripts, styles and connections, no framing, no base', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  it.each(PAGES)('GET %s carries the CSP, nosniff, same-origin referrer, DENY and no-store', async (path) => {
    const res = await dash.app.request(path);
    expect(res.status, path).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expectSecurityHeaders(res, path);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each(PAGES)('GET %s has no inline script, inline style, event handler attribute or javascript: URL', async (path) => {
    const html = await (await dash.app.request(path)).text();
    expect(html).not.toMatch(/<style/i);
    // Attribute names only: values are quoted, and a quote inside a value is escaped as &quot;.
    const tags = (html.match(/<[a-z][^>]*>/gi) ?? []).map((tag) => tag.replace(/"[^"]*"/g, '""'));
    for (const tag of tags) expect(tag).not.toMatch(/\s(on[a-z]+|style)\s*=/i);
    expect(html).not.toMatch(/(href|src|action)\s*=\s*"\s*javascript:/i);
    for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag).toMatch(/ src="\/assets\/[a-z]+\.[0-9a-f]{16}\.js"/);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/i);
  });

  it('the fragment the live script fetches carries the same headers and only the content of <main>', async () => {
    const res = await dash.app.request('/approvals?fragment=main');
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, 'fragment');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).not.toContain('<html');
    expect(html).not.toContain('<main');
    expect(html).toContain('<h1');
  });

  it('the health check, the live stream (HEAD), an asset, the 404 page and a 405 all carry the headers', async () => {
    const answers = await Promise.all([
      dash.app.request('/healthz'),
      dash.app.request('/live', { method: 'HEAD' }),
      dash.app.request(CSS_ASSET.path),
      dash.app.request('/no/such/page'),
      dash.app.request('/', { method: 'DELETE' }),
      dash.app.request('/runs/run_does_not_exist'),
    ]);
    for (const res of answers) expectSecurityHeaders(res, res.url);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 404, 405, 404]);
    expect(answers[0]!.headers.get('cache-control')).toBe('no-store');
    expect(answers[2]!.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(answers[3]!.headers.get('cache-control')).toBe('no-store');
  });
});

describe('methods and unknown paths', () => {
  it.each([
    ['PUT', '/'],
    ['DELETE', '/runs/x'],
    ['PATCH', '/approvals'],
    ['OPTIONS', '/'],
    ['POST', '/'],
    ['POST', '/live'],
    ['PUT', '/healthz'],
  ])('%s %s is 405 with Allow: GET, HEAD and reaches no page', async (method, path) => {
    const res = await dash.app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('PUT /login allows GET, HEAD, POST; GET /logout allows POST only', async () => {
    const login = await dash.app.request('/login', { method: 'PUT' });
    expect([login.status, login.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    const logout = await dash.app.request('/logout');
    expect([logout.status, logout.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('HEAD answers like GET without a body', async () => {
    const res = await dash.app.request('/approvals', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('an unknown path is the 404 page in the layout, and the path is not echoed', async () => {
    const res = await dash.app.request('/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Not found</h1>');
    expect(html).toContain(`href="${CSS_ASSET.path}"`);
    expect(html).toContain(`src="${LIVE_ASSET.path}"`);
    expect(html).not.toContain('alert(1)');
    expect(html).not.toContain('data-live');
  });
});
