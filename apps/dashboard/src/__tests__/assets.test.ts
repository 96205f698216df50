import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '@agentpr/orchestrator';
import { ASSETS, CSS_ASSET, LIVE_ASSET } from '../assets/index.js';
import { DASHBOARD_CSS } from '../assets/dashboard-css.js';
import { LIVE_JS } from '../assets/live-js.js';
import type { DashboardDeps } from '../deps.js';
import { createDashboardApp } from '../server.js';

// The bundled assets: content-hashed URLs cached for a year, 304 on a matching ETag, nothing else under /assets/;
// the stylesheet's colours meet WCAG AA in both schemes; the live script parses as plain JavaScript.

// Asset routes touch no store: a dashboard whose store would fail if read.
const deps = {
  db: undefined,
  dialect: 'sqlite',
  clock: () => new Date(),
  paths: undefined,
  redact: (t: string) => t,
  app: { log: silentLogger },
} as unknown as DashboardDeps;
const app = createDashboardApp(deps, { token: 'a-token-that-is-long-enough', livePollMs: 1000 });

describe('assets', () => {
  it('each asset has a content-hashed URL, is served without auth, cached immutable for a year, with its type and an ETag', async () => {
    expect(CSS_ASSET.path).toMatch(/^\/assets\/dashboard\.[0-9a-f]{16}\.css$/);
    expect(LIVE_ASSET.path).toMatch(/^\/assets\/live\.[0-9a-f]{16}\.js$/);
    for (const asset of ASSETS.values()) {
      const res = await app.request(asset.path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toBe(asset.contentType);
      expect(res.headers.get('etag')).toBe(asset.etag);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(asset.body);
    }
    expect(CSS_ASSET.body).toBe(DASHBOARD_CSS);
    expect(LIVE_ASSET.body).toBe(LIVE_JS);
  });

  it('a matching If-None-Match is a 304 without a body', async () => {
    const res = await app.request(CSS_ASSET.path, { headers: { 'if-none-match': CSS_ASSET.etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  it('an old hash or an unknown file under /assets/ is a 404 that is not cached', async () => {
    for (const path of ['/assets/dashboard.0000000000000000.css', '/assets/%2e%2e%2fserver.ts', '/assets/', '/assets/live.js']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('the live script is valid plain JavaScript with no framework, no eval and no inline handler strings', () => {
    expect(() => new Script(LIVE_JS)).not.toThrow();
    expect(LIVE_JS).not.toMatch(/\beval\(|new Function|innerHTML|document\.write|import\(/);
    expect(LIVE_JS).toContain("new EventSource('/live')");
    expect(LIVE_JS).toContain("searchParams.set('fragment', 'main')");
  });
});

/** The CSS custom properties of a block (`--name: #rrggbb`). */
function colours(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('stylesheet', () => {
  const light = colours(DASHBOARD_CSS.slice(DASHBOARD_CSS.indexOf(':root {'), DASHBOARD_CSS.indexOf('}')));
  const darkStart = DASHBOARD_CSS.indexOf('@media (prefers-color-scheme: dark)');
  const dark = colours(DASHBOARD_CSS.slice(darkStart, DASHBOARD_CSS.indexOf('}', darkStart)));
  const TEXT_PAIRS = [
    ['fg', 'bg'],
    ['muted', 'bg'],
    ['link', 'bg'],
    ['fg', 'surface'],
    ['muted', 'surface'],
    ['link', 'surface'],
    ['header-fg', 'header-bg'],
    ['bad-fg', 'bad-bg'],
    ['ok-fg', 'ok-bg'],
    ['warn-fg', 'warn-bg'],
    ['info-fg', 'info-bg'],
    ['human-fg', 'human-bg'],
    ['idle-fg', 'idle-bg'],
  ] as const;

  it.each([
    ['light', light],
    ['dark', dark],
  ])('text colours meet WCAG AA (4.5:1) and chart colours 3:1 against the page in the %s scheme', (_name, c) => {
    for (const [fg, bg] of TEXT_PAIRS) expect(contrast(c[fg]!, c[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    for (let i = 1; i <= 6; i++) expect(contrast(c[`chart-${i}`]!, c.bg!), `chart-${i}`).toBeGreaterThanOrEqual(3);
  });

  it('has focus outlines, reduced motion, print rules, a phone breakpoint and no external URL', () => {
    expect(DASHBOARD_CSS).toContain(':focus-visible');
    expect(DASHBOARD_CSS).toContain('@media (prefers-reduced-motion: reduce)');
    expect(DASHBOARD_CSS).toContain('@media print');
    expect(DASHBOARD_CSS).toMatch(/@media \(max-width: 40rem\)/);
    expect(DASHBOARD_CSS).not.toMatch(/url\(|@import|https?:/);
  });
});
