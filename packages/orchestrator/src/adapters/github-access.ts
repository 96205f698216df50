import { isIP } from 'node:net';
import { createOctokitClient, resolveGitHubApiUrl, resolveGitHubToken, type GitHubClient } from '@agentpr/github';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { NO_GITHUB_TOKEN } from '../github-sync/require-github.js';

export { githubFailure } from '../github-sync/require-github.js';

/** How to reach GitHub: `--github-api-url`, else `GITHUB_API_URL`, else api.github.com. */
export interface GitHubAccessOptions {
  apiUrl?: string | undefined;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return /^::ffff:127\./.test(host) || /^::ffff:7f[0-9a-f]{2}:/.test(host);
}

/**
 * Checks a GitHub API root before any token is sent to it (issue 13): `https://` anywhere, plain `http://`
 * only to a loopback host (a local stub or proxy); anything else — a typo'd `--github-api-url`, a plain-http
 * enterprise host — would put the token on the wire in clear text, so it is refused with one line.
 */
export function assertSafeGitHubApiUrl(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new AgentprError('usage', `GitHub API URL ${JSON.stringify(apiUrl)} is not a URL; use e.g. https://api.github.com (--github-api-url or GITHUB_API_URL).`);
  }
  if (url.username || url.password) throw new AgentprError('refused', 'the GitHub API URL must not carry credentials; agentpr sends the token itself.');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  const shown = `${url.protocol}//${url.host}`;
  throw new AgentprError(
    'refused',
    url.protocol === 'http:'
      ? `refusing to send the GitHub token to ${shown} over plain http; use https:// (plain http is allowed only to a loopback host).`
      : `the GitHub API URL ${shown} is not http(s); use https://.`,
  );
}

/**
 * A GitHub client for the use cases, with the token from `GITHUB_TOKEN`/`GH_TOKEN` or `gh auth token` (read
 * from `ctx.env`). `undefined` when there is no token; see {@link requireGitHubClient}. The API URL is checked
 * with {@link assertSafeGitHubApiUrl} before the token is even looked up.
 */
export async function githubClientFor(ctx: Pick<AppContext, 'env' | 'log'>, options: GitHubAccessOptions = {}): Promise<GitHubClient | undefined> {
  const apiUrl = resolveGitHubApiUrl(options.apiUrl, ctx.env);
  assertSafeGitHubApiUrl(apiUrl);
  const token = await resolveGitHubToken({ ...ctx.env, GITHUB_API_URL: apiUrl });
  if (!token) return undefined;
  return createOctokitClient({ token: token.token, baseUrl: apiUrl, log: { warn: (m) => ctx.log.warn(m) } });
}

/** Like {@link githubClientFor}, but a missing token is a `config` error that says how to provide one. */
export async function requireGitHubClient(ctx: Pick<AppContext, 'env' | 'log'>, options: GitHubAccessOptions = {}): Promise<GitHubClient> {
  const client = await githubClientFor(ctx, options);
  if (!client) throw new AgentprError('config', NO_GITHUB_TOKEN);
  return client;
}
