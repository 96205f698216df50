import { createHash } from 'node:crypto';
import { DASHBOARD_CSS } from './dashboard-css.js';
import { LIVE_JS } from './live-js.js';

/** One bundled file the dashboard serves under `/assets/`, named after a hash of its content. */
export interface Asset {
  /** `/assets/<name>.<hash>.<ext>`: a new content is a new URL, so the answer may be cached for a year. */
  path: string;
  contentType: string;
  body: string;
  /** A strong ETag: the content hash. */
  etag: string;
}

function asset(name: string, ext: string, contentType: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { path: `/assets/${name}.${hash}.${ext}`, contentType, body, etag: `"${hash}"` };
}

/** The stylesheet every page links. */
export const CSS_ASSET: Asset = asset('dashboard', 'css', 'text/css; charset=utf-8', DASHBOARD_CSS);

/** The live-update script every page loads (`defer`); it does nothing on a page whose `<main>` lacks `data-live`. */
export const LIVE_ASSET: Asset = asset('live', 'js', 'text/javascript; charset=utf-8', LIVE_JS);

/** Every asset by path; anything else under `/assets/` is a 404. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([CSS_ASSET, LIVE_ASSET].map((a) => [a.path, a]));
