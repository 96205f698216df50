import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { redactorFor, type AppContext } from '@agentpr/orchestrator';
import { assertBindAllowed, requestClient } from './auth.js';
import type { DashboardDeps, DashboardServerOptions } from './deps.js';
import { createDashboardServer } from './server.js';

/** What {@link startDashboard} hands back once it listens (the service prints it as its first stdout line). */
export interface DashboardListening {
  ok: true;
  listening: string;
  /** The address to open in a browser. */
  url: string;
  store: 'read-only';
  /** Whether a token guards the pages (`AGENTPR_DASHBOARD_TOKEN`). */
  auth: 'token' | 'none';
}

/** A started dashboard: where it listens, and how to stop it. */
export interface RunningDashboard {
  info: DashboardListening;
  /** Ends every live stream at once, stops listening, and resolves once the server is closed. */
  close(): Promise<void>;
}

/** How long requests in flight get to finish on stop before their connections are cut. */
const STOP_GRACE_MS = 1_000;

/** The dashboard's dependencies from a (read-only) app context. */
export function dashboardDeps(app: AppContext): DashboardDeps {
  return { db: app.db, dialect: app.dialect, clock: app.clock, paths: app.paths, redact: redactorFor(app).redact, app };
}

function urlHost(address: AddressInfo): string {
  const shown = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return address.family === 'IPv6' ? `[${shown}]` : shown;
}

/**
 * Starts the dashboard's HTTP server on `options.host:options.port`. Refuses a non-loopback host without a token
 * (`AgentprError('usage')`) before listening. Each request's client is worked out here: the socket peer, or, when
 * that peer is one of `options.trustedProxies`, the `X-Real-IP` it sent (and its `X-Forwarded-Proto`).
 *
 * @example
 * const options = { host: '127.0.0.1', port: 8790, token: undefined, livePollMs: 1000, trustedProxies: ['127.0.0.1'] };
 * const running = await startDashboard(dashboardDeps(app), options);
 * console.log(running.info.url); await running.close();
 */
export async function startDashboard(deps: DashboardDeps, options: DashboardServerOptions): Promise<RunningDashboard> {
  assertBindAllowed(options.host, options.token);
  const { app, live } = createDashboardServer(deps, options);
  const trusted = options.trustedProxies ?? [];
  // The edge decides once who sent each request (a trusted proxy's X-Real-IP and X-Forwarded-Proto, else the peer).
  const fetch = (request: Request, env: HttpBindings | Http2Bindings) => app.fetch(request, { ...env, client: requestClient(env.incoming, trusted) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch, hostname: options.host, port: options.port }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost(address)}:${address.port}/`;
  let closing: Promise<void> | undefined;
  return {
    info: { ok: true, listening: `${host}:${address.port}`, url, store: 'read-only', auth: options.token === undefined ? 'none' : 'token' },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        live.close();
        // Answers in flight may finish; each connection is dropped as soon as it is idle, all of them after the grace.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const cut = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        sweep.unref();
        cut.unref();
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
