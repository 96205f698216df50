import { Hono, type Context } from 'hono';
import { ASSETS } from './assets/index.js';
import { authGate } from './auth.js';
import type { DashboardDeps, DashboardServerOptions } from './deps.js';
import './hono-env.js';
import { LiveHub } from './live.js';
import { liveRoute } from './live-route.js';
import { loginRoutes } from './login.js';
import { methodGuard } from './method-guard.js';
import type { Page } from './page.js';
import { approvalsPage } from './pages/approvals.js';
import { bottlenecksPage } from './pages/bottlenecks.js';
import { campaignPage } from './pages/campaign.js';
import { runPage } from './pages/run.js';
import { runsPage } from './pages/runs.js';
import { webhookPage } from './pages/webhook.js';
import { FailureLimiter } from './rate-limit.js';
import { errorPage, renderPage } from './render-page.js';
import { IMMUTABLE, securityHeaders } from './security-headers.js';

/** Every page and its path. Links between pages use these paths. */
export const PAGES: ReadonlyArray<{ path: string; page: Page }> = [
  { path: '/', page: runsPage },
  { path: '/runs/:runId', page: runPage },
  { path: '/approvals', page: approvalsPage },
  { path: '/bottlenecks', page: bottlenecksPage },
  { path: '/campaigns', page: campaignPage },
  { path: '/campaigns/:campaign', page: campaignPage },
  { path: '/webhook', page: webhookPage },
];

/** The options {@link createDashboardServer} reads (the listen address is the caller's). */
export type DashboardAppOptions = Pick<DashboardServerOptions, 'token' | 'livePollMs' | 'maxLiveStreams' | 'heartbeatMs'>;

/** The HTTP application and the live hub behind its `/live` streams (close it to end them all). */
export interface DashboardServer {
  app: Hono;
  live: LiveHub;
}

function serveAsset(c: Context): Response {
  const asset = ASSETS.get(c.req.path);
  if (!asset) return c.text('No such asset.\n', 404);
  c.header('Cache-Control', IMMUTABLE);
  c.header('ETag', asset.etag);
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
  c.header('Content-Type', asset.contentType);
  return c.body(asset.body, 200);
}

/**
 * The dashboard's HTTP application (hono) and its live hub. In order: security headers on every answer (strict CSP,
 * `no-store` but for hashed assets), only GET/HEAD (and POST to `/login`, `/logout`) past the method guard, the
 * token check (`/healthz`, `/login`, `/assets/*` open), then the routes. Nothing here writes to the store.
 */
export function createDashboardServer(deps: DashboardDeps, options: DashboardAppOptions): DashboardServer {
  const limiter = new FailureLimiter();
  const live = new LiveHub({
    db: deps.db,
    clock: deps.clock,
    pollMs: options.livePollMs,
    maxStreams: options.maxLiveStreams,
    heartbeatMs: options.heartbeatMs,
    log: deps.app.log,
    redact: deps.redact,
  });
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', methodGuard());
  app.use('*', authGate({ token: options.token, limiter, clock: deps.clock }));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/assets/*', serveAsset);
  loginRoutes(app, { token: options.token, limiter, clock: deps.clock });
  app.get('/logout', (c) => {
    c.header('Allow', 'POST');
    return c.text('Sign out with the button on any page (POST /logout).\n', 405);
  });
  app.get('/live', liveRoute(live));
  for (const { path, page } of PAGES) app.get(path, (c) => renderPage(c, page, deps));
  app.notFound((c) => errorPage(c, 404, 'Not found', 'There is no page at this address.'));
  app.onError((error, c) => {
    deps.app.log.error('dashboard request failed', { path: c.req.path, error: deps.redact(error instanceof Error ? error.message : String(error)) });
    return errorPage(c, 500, 'Error', 'This page could not be built; the error is in the dashboard log.');
  });
  return { app, live };
}

/**
 * The dashboard's HTTP application alone (see {@link createDashboardServer}); for tests that call `app.request`.
 * Its live hub polls only while a stream is open and stops when the last one ends.
 */
export function createDashboardApp(deps: DashboardDeps, options: DashboardAppOptions): Hono {
  return createDashboardServer(deps, options).app;
}
