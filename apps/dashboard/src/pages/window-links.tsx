import { queryHref } from '../components/query-href.js';
import type { TimeWindow } from '../views/window-param.js';

const WINDOW_NAMES: Readonly<Record<TimeWindow, string>> = { '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', '60d': 'Last 60 days' };

/** The words for a window, e.g. "the last 7 days". */
export function windowWords(window: TimeWindow): string {
  return WINDOW_NAMES[window].toLowerCase().replace(/^last/, 'the last');
}

/**
 * The window selector of a page: one plain link per window (`?window=…`, other parameters kept), the current one
 * marked with `aria-current`. Links, not a form, so it works without JavaScript and reads as navigation.
 */
export function WindowLinks<W extends TimeWindow>({ url, windows, current }: { url: URL; windows: readonly W[]; current: W }) {
  return (
    <nav class="window-links" aria-label="Time window">
      <ul>
        {windows.map((w) => (
          <li>
            <a href={queryHref(url, { window: w })} aria-current={w === current ? 'page' : undefined}>
              {WINDOW_NAMES[w]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
