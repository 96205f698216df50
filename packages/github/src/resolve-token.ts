import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { GitHubError } from './errors.js';
import { DEFAULT_GITHUB_API_URL } from './octokit-client.js';

/** A GitHub token and where it came from (never log the token itself). */
export interface ResolvedToken {
  token: string;
  source: 'GITHUB_TOKEN' | 'GH_TOKEN' | 'gh';
}

/** Options of {@link resolveGitHubToken}. */
export interface ResolveTokenOptions {
  /** The `gh` executable; default `gh` on `env.PATH`. */
  ghBinary?: string;
  /** Milliseconds `gh auth token` may take; default 10 000. */
  timeoutMs?: number;
  /** The GitHub host for `gh auth token --hostname` (GitHub Enterprise); derived from the API URL when omitted. */
  hostname?: string;
  /** Working directory of `gh`; default the OS temp dir. */
  cwd?: string;
}

function hostOf(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined;
  try {
    const host = new URL(apiUrl).hostname;
    return host === 'api.github.com' ? undefined : host;
  } catch {
    return undefined;
  }
}

/**
 * The token to call GitHub with: `GITHUB_TOKEN`, else `GH_TOKEN`, else the output of `gh auth token` when `gh`
 * is installed and logged in. `undefined` when there is none; see {@link requireGitHubToken}.
 *
 * @example
 * const found = await resolveGitHubToken(process.env);
 * if (found) console.log(`using the token from ${found.source}`);
 */
export async function resolveGitHubToken(
  env: Readonly<Record<string, string | undefined>>,
  options: ResolveTokenOptions = {},
): Promise<ResolvedToken | undefined> {
  const fromGithub = env.GITHUB_TOKEN?.trim();
  if (fromGithub) return { token: fromGithub, source: 'GITHUB_TOKEN' };
  const fromGh = env.GH_TOKEN?.trim();
  if (fromGh) return { token: fromGh, source: 'GH_TOKEN' };
  const childEnv: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'GH_CONFIG_DIR', 'GH_HOST', 'USERPROFILE', 'APPDATA']) {
    const value = env[key];
    if (value !== undefined) childEnv[key] = value;
  }
  const hostname = options.hostname ?? hostOf(env.GITHUB_API_URL);
  const args = ['auth', 'token', ...(hostname ? ['--hostname', hostname] : [])];
  try {
    const result = await execa(options.ghBinary ?? 'gh', args, {
      cwd: options.cwd ?? tmpdir(),
      env: childEnv,
      extendEnv: false,
      stdin: 'ignore',
      timeout: options.timeoutMs ?? 10_000,
      reject: false,
    });
    const token = typeof result.stdout === 'string' ? result.stdout.trim() : '';
    if (result.exitCode === 0 && token) return { token, source: 'gh' };
  } catch {
    // gh is not installed or could not start: no token from it.
  }
  return undefined;
}

/** Like {@link resolveGitHubToken}, but fails with `token_missing` and a message that names every way to provide one. */
export async function requireGitHubToken(env: Readonly<Record<string, string | undefined>>, options: ResolveTokenOptions = {}): Promise<ResolvedToken> {
  const found = await resolveGitHubToken(env, options);
  if (found) return found;
  throw new GitHubError('token_missing', 'no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or install gh and run `gh auth login`.');
}

/** The REST API root: the `--github-api-url` flag, else `GITHUB_API_URL`, else `https://api.github.com`. */
export function resolveGitHubApiUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const value = flag?.trim() || env.GITHUB_API_URL?.trim() || DEFAULT_GITHUB_API_URL;
  return value.replace(/\/+$/, '');
}
