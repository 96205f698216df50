import { createOctokitClient, GitHubError, resolveGitHubApiUrl, resolveGitHubToken, type GitHubClient } from '@agentpr/github';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** How to reach GitHub: `--github-api-url`, else `GITHUB_API_URL`, else api.github.com. */
export interface GitHubAccessOptions {
  apiUrl?: string | undefined;
}

/**
 * A GitHub client for the use cases, with the token from `GITHUB_TOKEN`/`GH_TOKEN` or `gh auth token` (read
 * from `ctx.env`). `undefined` when there is no token; see {@link requireGitHubClient}.
 */
export async function githubClientFor(ctx: AppContext, options: GitHubAccessOptions = {}): Promise<GitHubClient | undefined> {
  const apiUrl = resolveGitHubApiUrl(options.apiUrl, ctx.env);
  const token = await resolveGitHubToken({ ...ctx.env, GITHUB_API_URL: apiUrl });
  if (!token) return undefined;
  return createOctokitClient({ token: token.token, baseUrl: apiUrl, log: { warn: (m) => ctx.log.warn(m) } });
}

/** Like {@link githubClientFor}, but a missing token is a `config` error that says how to provide one. */
export async function requireGitHubClient(ctx: AppContext, options: GitHubAccessOptions = {}): Promise<GitHubClient> {
  const client = await githubClientFor(ctx, options);
  if (!client) throw new AgentprError('config', 'no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or install gh and run `gh auth login`.');
  return client;
}

/** A GitHub failure as a use-case error (the message already says what to do). */
export function githubFailure(error: unknown): AgentprError {
  if (error instanceof AgentprError) return error;
  if (error instanceof GitHubError) return new AgentprError('external_failed', error.message, { details: { github_error: error.code, ...(error.status ? { http_status: error.status } : {}) }, cause: error });
  return new AgentprError('external_failed', `GitHub call failed: ${(error as Error).message}`, { cause: error });
}
