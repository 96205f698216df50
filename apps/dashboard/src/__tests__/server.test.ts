import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@agentpr/orchestrator';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import type { DashboardDeps } from '../deps.js';
import { PageError, type Page } from '../page.js';
import { renderPage } from '../render-page.js';
import { PAGES } from '../server.js';
import { openDashboardForTest, SEED_SECRET, seedDashboardStore, type TestDashboard } from './seed.js';

// The server's own routes and how a page becomes an answer: /healthz, the whole document or the <main> fragment,
// live or still pages, and a page's failure as a 404, 400 or 500 page that does not show the error.

let dash: TestDashboard;

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-server-'));
  await seed.close();
  dash = await openDashboardForTest(seed.dbPath);
});

afterAll(async () => {
  await dash?.close();
  cleanupTempDirs();
});

/** A hono app serving one page through `renderPage`, over the seeded deps with a logger that keeps its lines. */
function onePage(page: Page) {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const log: Logger = { info: () => undefined, warn: () => undefined, error: (message, fields) => void lines.push({ message, fields }) };
  const deps: DashboardDeps = { ...dash.deps, app: { ...dash.deps.app, log } };
  const app = new Hono();
  app.get('/p/:id', (c) => renderPage(c, page, deps));
  return { app, lines };
}

describe('dashboard server', () => {
  it('GET /healthz is {ok:true} as JSON', async () => {
    const res = await dash.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('every page in PAGES answers a whole document with its nav entry marked, live by default', async () => {
    expect(PAGES.map((p) => p.path)).toEqual(['/', '/runs/:runId', '/approvals', '/bottlenecks', '/campaigns', '/campaigns/:campaign', '/webhook']);
    for (const [path, nav] of [
      ['/', '/'],
      ['/approvals', '/approvals'],
      ['/bottlenecks', '/bottlenecks'],
      ['/campaigns', '/campaigns'],
      ['/webhook', '/webhook'],
    ] as const) {
      const html = await (await dash.app.request(path)).text();
      expect(html, path).toMatch(/^<!doctype html><html lang="en">/);
      expect(html, path).toContain(`<a href="${nav}" aria-current="page">`);
      const mainNav = /<nav aria-label="Main">.*?<\/nav>/.exec(html)?.[0] ?? '';
      expect(mainNav.match(/aria-current="page"/g), path).toHaveLength(1);
      expect(html, path).toContain('<main id="main" tabindex="-1" data-live="true">');
    }
  });

  it('?fragment=main answers only what goes inside <main>, as text/html', async () => {
    const res = await dash.app.request('/webhook?fragment=main');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<h1/);
    expect(html).not.toMatch(/<(html|head|body|main|header|footer)\b/);
    expect(html).not.toContain('aria-label="Main"');
  });

  it('a page with live: false has no data-live and no refresh; the noscript refresh link of a live page keeps its query', async () => {
    const still = onePage(async () => ({ title: 'Still', nav: 'runs', body: 'x', live: false }));
    const html = await (await still.app.request('/p/1')).text();
    expect(html).toContain('<main id="main" tabindex="-1">x</main>');
    expect(html).not.toContain('http-equiv="refresh"');
    const live = onePage(async () => ({ title: 'Live', nav: 'runs', body: 'y' }));
    const liveHtml = await (await live.app.request('/p/1?state=DONE&fragment=x')).text();
    expect(liveHtml).toContain('<noscript><meta http-equiv="refresh" content="30"/></noscript>');
    expect(liveHtml).toContain('<a href="/p/1?state=DONE">Refresh now</a>');
  });

  it('the page gets its path parameters and query', async () => {
    const seen = onePage(async (req) => ({ title: 'P', nav: 'runs', body: `${req.params.id}|${req.query.get('q')}` }));
    expect(await (await seen.app.request('/p/a%20b?q=1&fragment=main')).text()).toBe('a b|1');
  });

  it('a PageError is a 404 or 400 page with its message', async () => {
    const missing = onePage(async () => {
      throw new PageError('not_found', 'No run run_x.');
    });
    const res = await missing.app.request('/p/1');
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Not found</h1>');
    expect(html).toContain('<p role="alert">No run run_x.</p>');
    const bad = onePage(async () => {
      throw new PageError('bad_request', 'Unknown state <b>.');
    });
    const badRes = await bad.app.request('/p/1');
    expect(badRes.status).toBe(400);
    expect(await badRes.text()).toContain('Unknown state &lt;b&gt;.');
  });

  it('any other failure is a 500 page without the error; the log line has it, redacted', async () => {
    const broken = onePage(async () => {
      throw new Error(`database exploded with ${SEED_SECRET}`);
    });
    const res = await broken.app.request('/p/1');
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).not.toContain('exploded');
    expect(html).not.toContain(SEED_SECRET);
    expect(broken.lines).toHaveLength(1);
    expect(String(broken.lines[0]!.fields?.error)).toContain('database exploded');
    expect(String(broken.lines[0]!.fields?.error)).not.toContain(SEED_SECRET);
  });

  it('an unknown run id is a 404 page', async () => {
    const res = await dash.app.request('/runs/run_nope');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('role="alert"');
  });
});
