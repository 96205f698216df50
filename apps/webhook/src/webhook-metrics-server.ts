import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentprError } from '@agentpr/orchestrator';
import type { WebhookMetrics } from './webhook-metrics.js';

/** Options of {@link startWebhookMetricsServer}. */
export interface WebhookMetricsServerOptions {
  metrics: WebhookMetrics;
  /** Default 127.0.0.1. Any other address needs a `token`. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

/** The running metrics listener. */
export interface WebhookMetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Serves the webhook's Prometheus text on its own listener, apart from the public webhook port (the counters
 * tell an attacker which of their requests got through). Loopback unless told otherwise; a non-loopback host
 * without a token refuses to start. The token is compared as SHA-256 digests, so neither its length nor its
 * bytes leak through timing. Only `GET`/`HEAD /metrics` answer.
 *
 * @example
 * const listener = await startWebhookMetricsServer({ metrics: server.metrics, port: 9464 });
 * // curl -s http://127.0.0.1:9464/metrics
 */
export async function startWebhookMetricsServer(options: WebhookMetricsServerOptions): Promise<WebhookMetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token && options.token.length > 0 ? digest(options.token) : undefined;
  if (!token && !isLoopbackHost(host)) {
    throw new AgentprError('config', `metrics host ${host} is not loopback: pass --metrics-token (or set AGENTPR_WEBHOOK_METRICS_TOKEN) so that only your scraper reads /metrics, or keep --metrics-host 127.0.0.1`);
  }
  const server: Server = createServer({ maxHeaderSize: 8 * 1024 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      return void res.end('not found\n');
    }
    if (token) {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? digest(auth.slice(7).trim()) : undefined;
      if (!given || !timingSafeEqual(given, token)) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer', connection: 'close' });
        return void res.end('metrics need Authorization: Bearer <--metrics-token>\n');
      }
    }
    options.metrics.render().then(
      (text) => {
        res.writeHead(200, { 'content-type': options.metrics.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end(`metrics failed: ${(error as Error).message}\n`);
      },
    );
  });
  server.maxConnections = 16;
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
