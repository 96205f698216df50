import { rmSync, rmdirSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, isIP, type LookupFunction, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { decideEgress, matchEgressRules, type EgressDenyReason } from './decide-egress.js';
import { EgressProxyError } from './errors.js';
import { endToEndHeaders } from './hop-by-hop.js';
import { parseEgressRules } from './parse-egress-rule.js';
import { prepareSocketDir } from './prepare-socket-dir.js';
import { systemResolver, type HostResolver } from './resolve-host.js';
import { splice } from './splice.js';

/** One refused connection attempt, as kept for the attempt's evidence. */
export interface EgressDenial {
  /** ISO-8601 time of the decision. */
  at: string;
  /** The host as the agent wrote it (at most 255 characters). */
  host: string;
  /** The port, or 0 when the request had none that could be read. */
  port: number;
  reason: EgressDenyReason;
  /** `CONNECT` for a tunnel, else the HTTP method of a plain request. */
  method: string;
  /** One line for a human. */
  detail: string;
}

/** Every decision the proxy makes, for an audit sink (`onDecision`). */
export type EgressDecisionEvent =
  | { allowed: true; at: string; host: string; port: number; method: string; rule: string; addresses: readonly string[] }
  | ({ allowed: false } & EgressDenial);

/** Counters since start. `denied` counts every denial, including those no longer in `denials()`. */
export interface EgressProxyStats {
  allowed: number;
  denied: number;
  /** Allowed connections whose upstream could not be reached (refused, timed out). */
  failed: number;
  /** Upstream connections open now. */
  active: number;
}

/** Options of {@link startEgressProxy}. */
export interface EgressProxyOptions {
  /** Absolute path of the unix socket to create; it must not exist, and its directory must be 0700 (made if missing). */
  socketPath: string;
  /** Allowlist entries (see `parseEgressRule`); an invalid entry refuses to start. */
  rules: readonly string[];
  /** DNS resolver; default the system resolver with a 5 s bound and a fixed `localhost`. */
  resolve?: HostResolver;
  /** Called for every decision; an exception in it is ignored. */
  onDecision?: (event: EgressDecisionEvent) => void;
  /** Clock for `at`. */
  now?: () => Date;
  /** How many denials `denials()` keeps (the newest). Default 200. */
  maxDenials?: number;
  /** Upstream connect timeout. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Largest request head accepted. Default 16 KiB. */
  maxHeaderBytes?: number;
}

/** A running proxy. */
export interface RunningEgressProxy {
  socketPath: string;
  /** Stops listening, cuts every connection and removes the socket (and its directory when the proxy made it). */
  close(): Promise<void>;
  /** The newest denials, oldest first (a copy). */
  denials(): EgressDenial[];
  stats(): EgressProxyStats;
}

const MAX_HOST_CHARS = 255;

/**
 * Starts the agent's egress proxy on a unix socket: `CONNECT host:port` tunnels and absolute-form plain HTTP
 * (`POST http://host:port/path`), both streamed without buffering, with keep-alive towards the client. Each target is
 * matched against the allowlist before any DNS lookup, resolved once, checked (`decideEgress`), and connected to by
 * the checked address only, so a DNS answer cannot change between check and use. Denials answer 403 and are recorded.
 * `Proxy-Authorization` and hop-by-hop headers are never forwarded; request heads are capped in size.
 * @example
 * const proxy = await startEgressProxy({
 *   socketPath: join(mkdtempSync('/tmp/agentpr-egress-'), 'proxy.sock'), rules: ['127.0.0.1:4010', 'registry.npmjs.org'],
 * });
 * // ...run the sandbox with the bridge...; evidence: proxy.denials(), proxy.stats()
 * await proxy.close();
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<RunningEgressProxy> {
  const parsed = parseEgressRules(options.rules);
  if (!parsed.ok) throw new EgressProxyError('invalid_rule', parsed.errors.join('; '));
  const rules = parsed.rules;
  const socketPath = options.socketPath;
  const { createdDir } = prepareSocketDir(socketPath);
  const resolve = options.resolve ?? systemResolver();
  const now = options.now ?? (() => new Date());
  const maxDenials = Math.max(1, options.maxDenials ?? 200);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const recent: EgressDenial[] = [];
  const counters = { allowed: 0, denied: 0, failed: 0 };
  const open = new Set<Duplex>();
  const upstreams = new Set<Socket>();

  const emit = (event: EgressDecisionEvent): void => {
    try {
      options.onDecision?.(event);
    } catch {
      // an audit sink must not break traffic
    }
  };

  const deny = (host: string, port: number, method: string, reason: EgressDenyReason, detail: string): EgressDenial => {
    const denial: EgressDenial = { at: now().toISOString(), host: host.slice(0, MAX_HOST_CHARS), port, reason, method: method.slice(0, 20), detail };
    counters.denied += 1;
    recent.push(denial);
    if (recent.length > maxDenials) recent.splice(0, recent.length - maxDenials);
    emit({ allowed: false, ...denial });
    return denial;
  };

  type Check = { ok: true; host: string; addresses: readonly string[] } | { ok: false; denial: EgressDenial };
  const check = async (host: string, port: number, method: string): Promise<Check> => {
    const match = matchEgressRules(host, port, rules);
    if (!match.ok) return { ok: false, denial: deny(host, port, method, match.reason, match.detail) };
    const addresses = isIP(match.host) ? [match.host] : await resolve(match.host);
    const decision = decideEgress({ host: match.host, port, addresses }, match.rules);
    if (!decision.allowed) return { ok: false, denial: deny(host, port, method, decision.reason, decision.detail) };
    counters.allowed += 1;
    emit({ allowed: true, at: now().toISOString(), host: match.host, port, method, rule: decision.rule, addresses });
    return { ok: true, host: match.host, addresses };
  };

  const connectUpstream = (host: string, addresses: readonly string[], port: number): Socket => {
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      const records = addresses.map((address) => ({ address, family: isIP(address) }));
      // With `all` (happy eyeballs across the checked addresses) the callback takes the whole list.
      if ((lookupOptions as { all?: boolean }).all) (callback as (error: null, list: Array<{ address: string; family: number }>) => void)(null, records);
      else callback(null, records[0]?.address ?? '', records[0]?.family ?? 4);
    };
    const socket = connect({ host, port, lookup: pinned, autoSelectFamily: addresses.length > 1, noDelay: true });
    upstreams.add(socket);
    socket.once('close', () => upstreams.delete(socket));
    socket.setTimeout(connectTimeoutMs, () => socket.destroy(new Error(`connect to ${host}:${port} timed out after ${connectTimeoutMs} ms`)));
    socket.once('connect', () => socket.setTimeout(0));
    return socket;
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const target = parseAbsoluteTarget(req.url ?? '');
    if (!target.ok) {
      const denial = deny(target.host, target.port, method, 'bad_request', target.detail);
      return refuse(res, denial);
    }
    const checked = await check(target.host, target.port, method);
    if (!checked.ok) return refuse(res, checked.denial);
    if (res.destroyed) return; // the client left while the name was resolved
    const headers = endToEndHeaders(req.headers, { dropHost: true });
    headers.host = target.authority;
    let socket: Socket | undefined;
    const upstream = httpRequest({
      method,
      path: target.path,
      headers,
      setHost: false,
      createConnection: () => {
        socket = connectUpstream(checked.host, checked.addresses, target.port);
        return socket;
      },
    });
    const settle = (): void => {
      if (socket && !socket.destroyed) socket.destroy();
    };
    upstream.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, endToEndHeaders(upstreamRes.headers));
      res.flushHeaders();
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      counters.failed += 1;
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        res.end(`agentpr egress proxy: ${target.authority} could not be reached: ${oneLine(error)}\n`);
      } else {
        res.destroy();
      }
    });
    res.once('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        settle();
      }
    });
    req.pipe(upstream);
  };

  const handleConnect = async (req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    if (!target) {
      const denial = deny(String(req.url ?? '').slice(0, MAX_HOST_CHARS), 0, 'CONNECT', 'bad_request', 'CONNECT needs host:port');
      return refuseTunnel(client, denial);
    }
    const checked = await check(target.host, target.port, 'CONNECT');
    if (!checked.ok) return refuseTunnel(client, checked.denial);
    if (client.destroyed) return;
    const upstream = connectUpstream(checked.host, checked.addresses, target.port);
    let connected = false;
    upstream.on('error', (error) => {
      if (!connected) {
        counters.failed += 1;
        if (!client.destroyed) {
          client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nagentpr egress proxy: ${target.host}:${target.port} could not be reached: ${oneLine(error)}\n`);
        }
      } else {
        client.destroy();
      }
    });
    client.once('close', () => {
      if (upstream.connecting) upstream.destroy();
    });
    upstream.once('connect', () => {
      connected = true;
      if (client.destroyed) return upstream.destroy();
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      splice(client, upstream);
    });
  };

  const server = createServer({
    maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024, headersTimeout: 30_000, requestTimeout: 0, keepAliveTimeout: 30_000, noDelay: true,
  });
  server.maxConnections = 1024;
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(req, res).catch(() => res.destroy());
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleConnect(req, socket, head).catch(() => socket.destroy());
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nagentpr egress proxy: protocol upgrades are not proxied; use CONNECT (HTTPS_PROXY).\n');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error) => reject(new EgressProxyError('listen_failed', `egress proxy cannot listen on ${socketPath}: ${oneLine(error)}`, { cause: error })));
    server.listen(socketPath, () => resolveListen());
  });

  let closing: Promise<void> | null = null;
  return {
    socketPath,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const socket of open) socket.destroy();
        for (const socket of upstreams) socket.destroy();
      }).finally(() => {
        rmSync(socketPath, { force: true });
        if (createdDir) {
          try {
            rmdirSync(dirname(socketPath));
          } catch {
            // not empty: someone else put a file there; leave it
          }
        }
      });
      return closing;
    },
    denials: () => recent.map((denial) => ({ ...denial })),
    stats: () => ({ ...counters, active: upstreams.size }),
  };
}

type AbsoluteTarget = { ok: true; host: string; port: number; authority: string; path: string } | { ok: false; host: string; port: number; detail: string };

function parseAbsoluteTarget(url: string): AbsoluteTarget {
  if (url.startsWith('/') || url === '*') return { ok: false, host: '', port: 0, detail: 'an origin-form request reached the egress proxy; send requests through HTTP_PROXY (absolute-form) or CONNECT' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, host: url.slice(0, MAX_HOST_CHARS), port: 0, detail: 'the request target is not a URL' };
  }
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  if (parsed.protocol !== 'http:') return { ok: false, host: parsed.hostname, port, detail: `${parsed.protocol} absolute-form requests are not proxied; use CONNECT for HTTPS` };
  if (parsed.username || parsed.password) return { ok: false, host: parsed.hostname, port, detail: 'credentials in a proxied URL are refused' };
  return { ok: true, host: parsed.hostname, port, authority: parsed.host, path: `${parsed.pathname}${parsed.search}` };
}

function parseAuthority(authority: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):([0-9]{1,5})$/.exec(authority);
  if (!match) return null;
  return { host: match[1] ?? '', port: Number(match[2]) };
}

function denialBody(denial: EgressDenial): string {
  return `agentpr egress proxy: denied ${denial.method} ${denial.host}:${denial.port} (${denial.reason}): ${denial.detail}\n`;
}

function refuse(res: ServerResponse, denial: EgressDenial): void {
  const body = denialBody(denial);
  res.writeHead(denial.reason === 'bad_request' ? 400 : 403, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-agentpr-egress-denied': denial.reason });
  res.end(body);
  res.req.resume();
}

function refuseTunnel(client: Duplex, denial: EgressDenial): void {
  if (client.destroyed) return;
  const body = denialBody(denial);
  const status = denial.reason === 'bad_request' ? '400 Bad Request' : '403 Forbidden';
  client.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-agentpr-egress-denied: ${denial.reason}\r\nconnection: close\r\n\r\n${body}`);
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}
