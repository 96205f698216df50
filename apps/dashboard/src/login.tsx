import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { clientAddress, sameOriginPost, tooMany, viaHttps } from './auth.js';
import './hono-env.js';
import { sameOriginPath } from './local-path.js';
import type { FailureLimiter } from './rate-limit.js';
import { documentHtml } from './render-page.js';
import { SESSION_COOKIE, SESSION_MAX_AGE_S, sessionValue, tokenMatches } from './session.js';

/** What the login routes need. */
export interface LoginOptions {
  token: string | undefined;
  limiter: FailureLimiter;
  clock: () => Date;
}

/** The largest login form accepted (the token and `next`). */
export const LOGIN_BODY_MAX = 8192;

const LoginForm = v.object({
  token: v.pipe(v.string(), v.maxLength(1024)),
  next: v.optional(v.pipe(v.string(), v.maxLength(2048))),
});

function LoginBody({ next, error, open }: { next: string; error?: string; open: boolean }) {
  if (open) {
    return (
      <>
        <h1>Sign in</h1>
        <p>This dashboard needs no sign-in: it has no token and listens on this machine only.</p>
        <p>
          <a href="/">Go to the runs</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Sign in</h1>
      <p>Enter the dashboard token (AGENTPR_DASHBOARD_TOKEN). Your browser keeps a signed session for 12 hours, never the token.</p>
      {error ? (
        <p role="alert" id="login-error">
          {error}
        </p>
      ) : null}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="next" value={next} />
        <label for="token">
          Dashboard token
          <input
            id="token"
            name="token"
            type="password"
            autocomplete="current-password"
            required
            autofocus
            aria-describedby={error ? 'login-error' : undefined}
            aria-invalid={error ? 'true' : undefined}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </>
  );
}

function loginPage(c: Context, status: 200 | 400 | 401 | 403, next: string, open: boolean, error?: string) {
  const body = <LoginBody next={next} error={error} open={open} />;
  return c.html(documentHtml({ title: 'Sign in', nav: undefined, body, live: false }), status);
}

/** The form's fields, or undefined when the body is not a form (`application/x-www-form-urlencoded`) or not valid. */
async function readForm(c: Context): Promise<v.InferOutput<typeof LoginForm> | undefined> {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const params = new URLSearchParams(await c.req.text());
  const parsed = v.safeParse(LoginForm, { token: params.get('token') ?? '', next: params.get('next') ?? undefined });
  return parsed.success ? parsed.output : undefined;
}

/**
 * `GET /login` (the form: one labelled password field), `POST /login` (sets the session cookie and goes to `next`,
 * a same-origin path only) and `POST /logout` (clears it). The POSTs must come from this dashboard's own pages
 * (`Origin` / `Sec-Fetch-Site`); failed sign-ins are rate limited per address. The token is never echoed.
 */
export function loginRoutes(app: Hono, { token, limiter, clock }: LoginOptions): void {
  app.get('/login', (c) => {
    const next = sameOriginPath(c.req.query('next'));
    if (token !== undefined && c.get('authVia') === 'cookie') return c.redirect(next, 303);
    return loginPage(c, 200, next, token === undefined);
  });

  const limit = bodyLimit({ maxSize: LOGIN_BODY_MAX, onError: (c) => c.text('The form is too large.\n', 413) });

  app.post('/login', limit, async (c) => {
    if (!sameOriginPost(c)) return loginPage(c, 403, '/', token === undefined, 'This sign-in did not come from this dashboard’s own page.');
    const client = clientAddress(c);
    const wait = limiter.retryAfter(client);
    if (wait !== undefined) return tooMany(c, wait);
    const form = await readForm(c);
    if (!form) return loginPage(c, 400, '/', token === undefined, 'The sign-in form could not be read; send it from the form on this page.');
    const next = sameOriginPath(form.next);
    if (token === undefined) return c.redirect(next, 303);
    if (!tokenMatches(form.token, token)) {
      limiter.fail(client);
      return loginPage(c, 401, next, false, 'That is not the dashboard token.');
    }
    setCookie(c, SESSION_COOKIE, sessionValue(token, clock()), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: viaHttps(c),
      maxAge: SESSION_MAX_AGE_S,
    });
    return c.redirect(next, 303);
  });

  app.post('/logout', limit, (c) => {
    if (!sameOriginPost(c)) return c.text('This sign-out did not come from this dashboard’s own page.\n', 403);
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: viaHttps(c) });
    return c.redirect('/login', 303);
  });
}
