/** How a request was let in: no token configured (`open`), `Authorization: Bearer` or the session cookie. */
export type AuthVia = 'open' | 'bearer' | 'cookie';

// What the auth middleware leaves on hono's context for the routes (`c.get('authVia')`).
declare module 'hono' {
  interface ContextVariableMap {
    authVia: AuthVia;
  }
}
