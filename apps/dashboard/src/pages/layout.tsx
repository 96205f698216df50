import type { Child } from 'hono/jsx';
import type { NavKey } from '../page.js';

/** Props of {@link Layout}. */
export interface LayoutProps {
  title: string;
  nav: NavKey;
  children: Child;
}

const NAV: ReadonlyArray<{ key: NavKey; href: string; label: string }> = [
  { key: 'runs', href: '/', label: 'Runs' },
  { key: 'approvals', href: '/approvals', label: 'Pending approvals' },
  { key: 'bottlenecks', href: '/bottlenecks', label: 'Bottlenecks' },
  { key: 'campaigns', href: '/campaigns', label: 'Campaigns' },
  { key: 'webhook', href: '/webhook', label: 'Webhook health' },
];

/** The page shell: head, navigation, `<main id="main">`. (Placeholder: the server helper owns its final form.) */
export function Layout({ title, nav, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · agentpr`}</title>
      </head>
      <body>
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
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
