import { Hono } from 'hono';
import type { DashboardDeps, DashboardServerOptions } from './deps.js';
import type { Page } from './page.js';
import { approvalsPage } from './pages/approvals.js';
import { bottlenecksPage } from './pages/bottlenecks.js';
import { campaignPage } from './pages/campaign.js';
import { runPage } from './pages/run.js';
import { runsPage } from './pages/runs.js';
import { webhookPage } from './pages/webhook.js';
import { renderPage } from './render-page.js';

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

/**
 * The dashboard's HTTP application (hono): security headers and the token check on every route, the bundled assets,
 * the login form, the live-update stream, and the pages. Only GET and HEAD reach the store; nothing writes to it.
 */
export function createDashboardApp(deps: DashboardDeps, _options: Pick<DashboardServerOptions, 'token' | 'livePollMs'>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  for (const { path, page } of PAGES) app.get(path, (c) => renderPage(c, page, deps));
  return app;
}
