import type { Child } from 'hono/jsx';
import type { DashboardDeps } from './deps.js';

/** The navigation entries; a page names the one it belongs to. */
export type NavKey = 'runs' | 'approvals' | 'bottlenecks' | 'campaigns' | 'webhook';

/** What a page gets from the request: its path parameters and the query string. */
export interface PageRequest {
  url: URL;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

/**
 * A rendered page: its `<title>`, the nav entry to mark current, and the content of `<main>`. The server wraps it
 * in the layout, or sends only `<main>`'s content when the live script asks for a fragment.
 */
export interface PageResult {
  title: string;
  nav: NavKey;
  body: Child;
  /** Whether the page follows runs live (`<main data-live>`: the live script re-fetches it as runs move). Default true. */
  live?: boolean;
}

/**
 * A page. It reads through `deps` and returns markup built with hono/jsx, which escapes every string it is given;
 * raw HTML (`raw()`, `dangerouslySetInnerHTML`) is never used for data.
 */
export type Page = (req: PageRequest, deps: DashboardDeps) => Promise<PageResult>;

/** A request the page cannot answer: an unknown run or campaign (`not_found`) or a bad filter (`bad_request`). */
export class PageError extends Error {
  constructor(
    readonly kind: 'not_found' | 'bad_request',
    message: string,
  ) {
    super(message);
    this.name = 'PageError';
  }
}
