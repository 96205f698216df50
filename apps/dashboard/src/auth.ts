import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { clientAddressBehindProxy, isTrustedProxy } from '@agentpr/app-kit/client-address';
import { AgentprError } from '@agentpr/orchestrator/errors';
import { queryHref } from './components/query-href.js';
import './hono-env.js';
import type { FailureLimiter } from './rate-limit.js';
import { SESSION_COOKIE, sessionValid, tokenMatches } from './session.js';

/** The shortest `AGENTPR_DASHBOARD_TOKEN` accepted. */
export const MIN_TOKEN_LENGTH = 16;

/** The realm named in `WWW-Authenticate`. */
const REALM = 'agentpr-dashboard';

/**
 * The dashboard token from `AGENTPR_DASHBOARD_TOKEN`, trimmed; undefined when unset or blank. A token shorter than
 * {@link MIN_TOKEN_LENGTH} is a `usage` error (exit 2): the dashboard refuses to start rather than guard with it.
 */
export function dashboardToken(raw: string | undefined): string | undefined {
  const token = raw?.trim();
  if (!token) return undefined;
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new AgentprError('usage', `AGENTPR_DASHBOARD_TOKEN is too short (${token.length} characters); use at least ${MIN_TOKEN_LENGTH}, e.g. openssl rand -hex 32`);
  }
  return token;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `host` is a loopback address: 127.0.0.0/8, ::1 (any spelling, IPv4-mapped 127.x too) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Refuses (a `usage` error, exit 2) to listen on a non-loopback address without a token: anyone who can reach the
 * port would read every run. Called before the server listens.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (token === undefined && !isLoopbackHost(host)) {
    throw new AgentprError('usage', `--host ${host} is not a loopback address; set AGENTPR_DASHBOARD_TOKEN (16+ characters) to serve beyond this machine`);
  }
}

/** The node request as @hono/node-server hands it over (its socket peer and headers). */
interface IncomingLike {
  socket?: { remoteAddress?: string | undefined } | undefined;
  headers?: Record<string, string | string[] | undefined> | undefined;
}

/** Who sent a request, as the listening edge (`startDashboard`) found out: set once per request on `c.env.client`. */
export interface RequestClient {
  /** The socket peer, or the `X-Real-IP` of a trusted proxy. */
  address: string;
  /** A trusted proxy said the browser came over https (`X-Forwarded-Proto: https`). */
  forwardedHttps: boolean;
}

function header(incoming: IncomingLike | undefined, name: string): string | undefined {
  const value = incoming?.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Who sent the request: the socket peer, unless that peer is one of `trustedProxies` (nginx on loopback), whose
 * `X-Real-IP` then names the client and whose `X-Forwarded-Proto` is believed. Anyone else's headers are ignored,
 * so a client cannot pick the address the sign-in limiter counts it by, nor make the cookie `Secure` on plain http.
 *
 * @example
 * requestClient({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-real-ip': '203.0.113.9' } }, ['127.0.0.1']);
 * // { address: '203.0.113.9', forwardedHttps: false }
 */
export function requestClient(incoming: IncomingLike | undefined, trustedProxies: readonly string[]): RequestClient {
  const peer = incoming?.socket?.remoteAddress;
  const trusted = isTrustedProxy(peer, trustedProxies);
  const proto = trusted ? header(incoming, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() : undefined;
  return { address: clientAddressBehindProxy(peer, header(incoming, 'x-real-ip'), trustedProxies), forwardedHttps: proto === 'https' };
}

/** The bindings a request carries: the node request, and the client the edge worked out (absent in `app.request` tests). */
function bindings(c: Context): { incoming?: IncomingLike; client?: RequestClient } | undefined {
  return c.env as { incoming?: IncomingLike; client?: RequestClient } | undefined;
}

/**
 * The client address the sign-in limiter counts by: what the edge worked out (a trusted proxy's `X-Real-IP`, else
 * the peer), else the socket peer, else `unknown` (no socket: tests).
 */
export function clientAddress(c: Context): string {
  const env = bindings(c);
  return env?.client?.address ?? requestClient(env?.incoming, []).address;
}

/** Whether the browser came over https: directly, or as a trusted proxy's `X-Forwarded-Proto` says (never an untrusted peer's). */
export function viaHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || bindings(c)?.client?.forwardedHttps === true;
}

/**
 * Whether a form POST comes from a page of this dashboard: `Sec-Fetch-Site`, when sent, is `same-origin`, and
 * `Origin`, when sent, names this host (compared by host, so a TLS proxy in front does not matter).
 */
export function sameOriginPost(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  try {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** What the auth gate needs. */
export interface AuthGateOptions {
  /** The token; undefined lets every request in (a loopback bind without a token). */
  token: string | undefined;
  limiter: FailureLimiter;
  clock: () => Date;
}

/** Paths open without the token: the health check, the login form and the bundled assets. */
export function isOpenPath(path: string): boolean {
  return path === '/healthz' || path === '/login' || path === '/logout' || path.startsWith('/assets/');
}

/**
 * Lets a request in with `Authorization: Bearer <token>` or a valid session cookie and records how on the context
 * (`authVia`). Without either, a browser asking for HTML is sent (303) to `/login?next=<this path>`, anyone else gets
 * 401 with `WWW-Authenticate: Bearer`. A wrong bearer token counts as a failed sign-in for the client's address.
 */
export function authGate({ token, limiter, clock }: AuthGateOptions): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) {
      c.set('authVia', 'open');
      await next();
      return;
    }
    if (isOpenPath(c.req.path)) {
      if (sessionValid(getCookie(c, SESSION_COOKIE), token, clock())) c.set('authVia', 'cookie');
      await next();
      return;
    }
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer !== undefined) {
      const client = clientAddress(c);
      const wait = limiter.retryAfter(client);
      if (wait !== undefined) return tooMany(c, wait);
      if (!tokenMatches(bearer, token)) {
        limiter.fail(client);
        c.header('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
        return c.json({ ok: false, error: 'the bearer token is not the dashboard token' }, 401);
      }
      c.set('authVia', 'bearer');
      await next();
      return;
    }
    if (sessionValid(getCookie(c, SESSION_COOKIE), token, clock())) {
      c.set('authVia', 'cookie');
      await next();
      return;
    }
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && (c.req.header('accept') ?? '').includes('text/html')) {
      const next = queryHref(new URL(c.req.url), {});
      return c.redirect(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, 303);
    }
    c.header('WWW-Authenticate', `Bearer realm="${REALM}"`);
    return c.json({ ok: false, error: 'sign in: send Authorization: Bearer <AGENTPR_DASHBOARD_TOKEN>, or use the form at /login' }, 401);
  };
}

/** 429 with `Retry-After`. */
export function tooMany(c: Context, seconds: number): Response {
  c.header('Retry-After', String(seconds));
  return c.text(`Too many failed sign-ins from this address; try again in ${seconds} s.\n`, 429);
}
