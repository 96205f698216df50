import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
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

/** The peer address of the request (the proxy's behind a reverse proxy), `unknown` when there is no socket (tests). */
export function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Whether the request said it came over https (directly or through a proxy's `X-Forwarded-Proto`). */
export function viaHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
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
