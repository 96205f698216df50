import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

/** This package's root directory. */
export const packageRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');

/** Builds `dist/index.js` and `dist/bridge.js` (JavaScript only; the d.ts build is slow and not what tests check). */
export async function buildDist(): Promise<void> {
  await build({ entry: [join(packageRoot, 'src/index.ts'), join(packageRoot, 'src/bridge.ts')], outDir: join(packageRoot, 'dist'), format: ['esm'], target: 'node20', platform: 'node', splitting: false, dts: false, clean: false, silent: true });
}

/** A host-side HTTP server on 127.0.0.1: `/hello`, `/echo` (headers and body back), `/sse` (one event, then waits for `releaseSse`). */
export interface TargetServer {
  port: number;
  hits: string[];
  releaseSse(): void;
  close(): Promise<void>;
}

export async function startTargetServer(name: string): Promise<TargetServer> {
  const hits: string[] = [];
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/hello') {
      res.end(`hello from ${name}`);
    } else if (req.url === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.end(JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString() })));
    } else if (req.url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      waiting.push(() => res.end('data: last\n\n'));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    releaseSse: () => waiting.splice(0).forEach((release) => release()),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The answer to a request sent to an HTTP proxy. */
export interface ProxiedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

/** Sends an absolute-form request (`GET http://...`) to the proxy listening on 127.0.0.1:`proxyPort`. */
export function viaProxy(proxyPort: number, url: string, options: { method?: string; headers?: Record<string, string>; body?: string; agent?: import('node:http').Agent } = {}): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, method: options.method ?? 'GET', path: url, headers: { host: new URL(url).host, ...(options.headers ?? {}) }, ...(options.agent ? { agent: options.agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a `CONNECT` tunnel through the proxy on 127.0.0.1:`proxyPort` and sends one HTTP/1.0 GET inside it; returns the raw reply. */
export function connectThrough(proxyPort: number, authority: string, path = '/hello'): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket, head: Buffer) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [head];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('close', () => resolve({ status: res.statusCode ?? 0, raw: Buffer.concat(chunks).toString() }));
        return;
      }
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve({ status: 200, raw: Buffer.concat(chunks).toString() }));
      socket.on('error', reject);
      socket.write(`GET ${path} HTTP/1.0\r\nhost: ${authority}\r\n\r\n`);
    });
    req.on('error', reject);
    req.end();
  });
}
