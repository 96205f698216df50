import { GitHubError, type GitHubClient } from '@agentpr/github';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** The one-line hint when no GitHub token is configured. */
export const NO_GITHUB_TOKEN = 'no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or install gh and run `gh auth login`.';

/**
 * The GitHub client of the context's port, for a use case that cannot go on without GitHub: a missing token is
 * a `config` error that says how to provide one (an unsafe API URL is the port's `refused` error).
 *
 * @example
 * const github = await requireGitHub(ctx);
 */
export async function requireGitHub(ctx: Pick<AppContext, 'github'>): Promise<GitHubClient> {
  const client = await ctx.github.client();
  if (!client) throw new AgentprError('config', NO_GITHUB_TOKEN);
  return client;
}

/**
 * A GitHub failure as a use-case error (the message already says what to do); GitHub's own error code and
 * response status are kept as facts in the details (`github_error`, `github_status`).
 */
export function githubFailure(error: unknown): AgentprError {
  if (error instanceof AgentprError) return error;
  if (error instanceof GitHubError) {
    return new AgentprError('external_failed', error.message, { details: { github_error: error.code, ...(error.status ? { github_status: error.status } : {}) }, cause: error });
  }
  return new AgentprError('external_failed', `GitHub call failed: ${(error as Error).message}`, { cause: error });
}
