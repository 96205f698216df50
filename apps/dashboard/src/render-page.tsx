import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import { queryHref } from './components/query-href.js';
import type { DashboardDeps } from './deps.js';
import './hono-env.js';
import { PageError, type NavKey, type Page } from './page.js';
import { Layout } from './pages/layout.js';

/** How the document around a page is drawn. */
export interface DocumentOptions {
  title: string;
  nav: NavKey | undefined;
  body: Child;
  live?: boolean;
  path?: string;
  signOut?: boolean;
}

/** A whole document: the doctype, then the layout around `body`. */
export function documentHtml({ title, nav, body, live = false, path, signOut }: DocumentOptions) {
  return html`<!doctype html>${(
    <Layout title={title} nav={nav} live={live} path={path} signOut={signOut}>
      {body}
    </Layout>
  )}`;
}

/** A page that says what went wrong, in the layout, with the given status (404, 400, 405, 500…). */
export function errorPage(c: Context, status: 400 | 404 | 405 | 500 | 503, title: string, message: string): Response | Promise<Response> {
  const body = (
    <>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      <p>
        <a href="/">Back to the runs</a>
      </p>
    </>
  );
  return c.html(documentHtml({ title, nav: undefined, body, signOut: c.get('authVia') === 'cookie' }), status);
}

/**
 * Runs a page and answers with the whole document, or only `<main>`'s content when the live script asks for it
 * (`?fragment=main`). A {@link PageError} becomes a 404 or 400 page; any other error a 500 page whose text never
 * includes the error (it is logged, redacted).
 */
export async function renderPage(c: Context, page: Page, deps: DashboardDeps): Promise<Response> {
  const url = new URL(c.req.url);
  const req = { url, params: c.req.param() as Record<string, string>, query: url.searchParams };
  try {
    const result = await page(req, deps);
    if (url.searchParams.get('fragment') === 'main') return await c.html(<>{result.body}</>);
    const live = result.live ?? true;
    return await c.html(documentHtml({ ...result, live, path: queryHref(url, {}), signOut: c.get('authVia') === 'cookie' }));
  } catch (error) {
    if (error instanceof PageError) {
      return error.kind === 'not_found' ? errorPage(c, 404, 'Not found', error.message) : errorPage(c, 400, 'Bad request', error.message);
    }
    deps.app.log.error('dashboard page failed', { path: url.pathname, error: deps.redact(error instanceof Error ? error.message : String(error)) });
    return errorPage(c, 500, 'Error', 'This page could not be built; the error is in the dashboard log.');
  }
}
