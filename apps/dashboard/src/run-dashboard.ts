import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import type { DashboardDeps, DashboardServerOptions } from './deps.js';
import { createDashboardApp } from './server.js';

/** What {@link startDashboard} hands back once it listens. */
export interface DashboardListening {
  ok: true;
  listening: string;
  url: string;
  store: 'read-only';
}

/** A started dashboard: where it listens, and how to stop it. */
export interface RunningDashboard {
  info: DashboardListening;
  close(): Promise<void>;
}

/** The dashboard's dependencies from a (read-only) app context. */
export function dashboardDeps(app: AppContext): DashboardDeps {
  return { db: app.db, dialect: app.dialect, clock: app.clock, paths: app.paths, redact: redactorFor(app).redact, app };
}

/** Starts the dashboard's HTTP server on `options.host:options.port`. */
export async function startDashboard(deps: DashboardDeps, options: DashboardServerOptions): Promise<RunningDashboard> {
  const app = createDashboardApp(deps, options);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  return {
    info: { ok: true, listening: `${host}:${address.port}`, url, store: 'read-only' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
