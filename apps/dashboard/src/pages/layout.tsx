import type { Child } from 'hono/jsx';
import { CSS_ASSET, LIVE_ASSET } from '../assets/index.js';
import { safeText } from '../components/safe-text.js';
import type { NavKey } from '../page.js';

/** Props of {@link Layout}. */
export interface LayoutProps {
  title: string;
  /** The nav entry marked `aria-current="page"`; none for pages outside the nav (login, errors). */
  nav: NavKey | undefined;
  children: Child;
  /**
   * Whether `<main>` carries `data-live` (the live script then refreshes it as runs move). Default true; without
   * JavaScript a live page refreshes itself every 30 s and offers a refresh link.
   */
  live?: boolean;
  /** The page's own same-origin path and query, for the no-JavaScript refresh link (default `/`). */
  path?: string;
  /** Show the "Sign out" button (the request was authenticated by the session cookie). */
  signOut?: boolean;
}

const NAV: ReadonlyArray<{ key: NavKey; href: string; label: string }> = [
  { key: 'runs', href: '/', label: 'Runs' },
  { key: 'approvals', href: '/approvals', label: 'Pending approvals' },
  { key: 'bottlenecks', href: '/bottlenecks', label: 'Bottlenecks' },
  { key: 'campaigns', href: '/campaigns', label: 'Campaigns' },
  { key: 'webhook', href: '/webhook', label: 'Webhook health' },
];

/**
 * The page shell: the hashed stylesheet and the deferred live script (no inline code: the CSP forbids it), a skip
 * link, the navigation, `<main id="main" tabindex={-1}>` and a polite status region where the live script says when
 * the page was last updated. Pages render only what goes inside `<main>`, starting with their `<h1>`.
 */
export function Layout({ title, nav, children, live = true, path = '/', signOut = false }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="same-origin" />
        <title>{`${safeText(title, 120)} · agentpr dashboard`}</title>
        <link rel="stylesheet" href={CSS_ASSET.path} />
        <script src={LIVE_ASSET.path} defer></script>
        {live ? (
          <noscript>
            <meta http-equiv="refresh" content="30" />
          </noscript>
        ) : null}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            agentpr
          </a>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li>
                  <a href={n.href} aria-current={n.key === nav ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {signOut ? (
            <form method="post" action="/logout">
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main" tabindex={-1} data-live={live ? 'true' : undefined}>
          {children}
        </main>
        <footer class="site-footer">
          <p id="live-status" class="live-status" role="status" aria-live="polite"></p>
          {live ? (
            <noscript>
              <p>
                This page refreshes itself every 30 seconds. <a href={path}>Refresh now</a>
              </p>
            </noscript>
          ) : null}
          <p>agentpr dashboard · read-only</p>
        </footer>
      </body>
    </html>
  );
}
