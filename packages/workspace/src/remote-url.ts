/**
 * The owner part of a remote URL: `https://github.com/acme/widgets.git` → `acme`,
 * `git@github.com:acme/widgets.git` → `acme`, `/srv/git/acme/widgets.git` → `acme`. Empty when the URL has
 * fewer than two path segments.
 */
export function ownerFromRemoteUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '').replace(/\.git$/, '');
  const path = trimmed.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/^[^/:]+@[^:]+:/, '');
  const parts = path.split('/').filter((p) => p.length > 0);
  return parts.length >= 2 ? parts[parts.length - 2]! : '';
}

/** A remote URL normalised for comparison: trimmed, without trailing slashes or `.git`. */
export function sameRemote(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return norm(a) === norm(b);
}

/** The default upstream URL of a GitHub repository. */
export function githubRepoUrl(owner: string, repo: string): string {
  return `https://github.com/${owner}/${repo}.git`;
}
