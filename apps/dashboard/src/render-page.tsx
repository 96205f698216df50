import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { DashboardDeps } from './deps.js';
import { PageError, type NavKey, type Page } from './page.js';
import { Layout } from './pages/layout.js';

/** A whole document: the doctype, then the layout around `body`. */
export function documentHtml(title: string, nav: NavKey, body: Child) {
  return html`<!doctype html>${(
    <Layout title={title} nav={nav}>
      {body}
    </Layout>
  )}`;
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
    if (url.searchParams.get('fragment') === 'main') return c.html(<>{result.body}</>);
    return c.html(documentHtml(result.title, result.nav, result.body));
  } catch (error) {
    if (error instanceof PageError) {
      const notFound = error.kind === 'not_found';
      return c.html(documentHtml(notFound ? 'Not found' : 'Bad request', 'runs', <p role="alert">{error.message}</p>), notFound ? 404 : 400);
    }
    deps.app.log.error('dashboard page failed', { path: url.pathname, error: deps.redact(error instanceof Error ? error.message : String(error)) });
    return c.html(documentHtml('Error', 'runs', <p role="alert">This page could not be built; the error is in the dashboard log.</p>), 500);
  }
}
