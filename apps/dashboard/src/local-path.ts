/** The longest `next` a login keeps; a longer one goes back to the runs page. */
const MAX_NEXT = 2048;

/**
 * `next` when it is a path on this dashboard (`/…`, not `//host` or `/\host`, no scheme, no control characters),
 * normalised to its path and query; `/` otherwise. Login redirects go only where this says.
 *
 * @example sameOriginPath('/runs/r1?x=1') // '/runs/r1?x=1'; sameOriginPath('//evil.com') // '/'
 */
export function sameOriginPath(next: string | null | undefined): string {
  if (!next || next.length > MAX_NEXT || !next.startsWith('/') || next.startsWith('//')) return '/';
  // Browsers read a backslash as a slash, and drop tabs and newlines inside URLs.
  if (/[\\\u0000-\u001F\u007F]/.test(next)) return '/';
  const base = 'http://dashboard.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base || url.pathname.startsWith('//')) return '/';
  url.searchParams.delete('fragment');
  return `${url.pathname}${url.search}`;
}
