/**
 * A remote URL fit to store: the user-info of a URL (`https://user:token@host/…`, `https://token@host/…`) is dropped,
 * since it may be a credential; an ssh user without a password (`ssh://git@host/…`, `git@host:o/r.git`) and local paths
 * are kept as they are. A rebuild on another host clones from what this returns, with that host's own access.
 *
 * @example
 * storedRemoteUrl('https://x-access-token:ghs_abc@github.com/o/r.git'); // → 'https://github.com/o/r.git'
 */
export function storedRemoteUrl(url: string): string {
  const trimmed = url.trim();
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/is.exec(trimmed);
  if (!match) return trimmed;
  const [, scheme = '', userinfo = '', rest = ''] = match;
  if (/^ssh:\/\/$/i.test(scheme) && !userinfo.includes(':')) return trimmed;
  return `${scheme}${rest}`;
}
