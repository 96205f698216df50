import type { MiddlewareHandler } from 'hono';

/** Paths that take a POST (the login form and sign-out), with the methods each allows. */
const POST_PATHS: ReadonlyMap<string, string> = new Map([
  ['/login', 'GET, HEAD, POST'],
  ['/logout', 'POST'],
]);

/**
 * Lets through GET and HEAD, and POST to `/login` and `/logout`; anything else is a 405 with `Allow` before any
 * route or the store is reached. The dashboard never writes, so there is nothing else to send.
 */
export function methodGuard(): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const postAllow = POST_PATHS.get(c.req.path);
    if (method === 'GET' || method === 'HEAD' || (method === 'POST' && postAllow !== undefined)) {
      await next();
      return;
    }
    c.header('Allow', postAllow ?? 'GET, HEAD');
    return c.text(`${method} is not allowed here; the dashboard is read-only.\n`, 405);
  };
}
