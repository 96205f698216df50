/**
 * A same-origin link to the current page with some query parameters changed: `undefined`/`null`/`''` removes a
 * parameter; `fragment` (the live script's) is always dropped. The path is the request's, so it starts with one `/`.
 *
 * @example queryHref(req.url, { cursor: page.next, sort: 'repo' }) // "/?state=DONE&cursor=…&sort=repo"
 */
export function queryHref(url: URL, changes: Readonly<Record<string, string | number | null | undefined>>): string {
  const params = new URLSearchParams(url.search);
  params.delete('fragment');
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === null || value === '') params.delete(key);
    else params.set(key, String(value));
  }
  const path = `/${url.pathname.replace(/^\/+/, '')}`;
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}
