import { GitHubError } from './errors.js';

/** The HTTP status (undefined for a failed fetch) and the message of an Octokit failure, with GitHub's validation details. */
export function describeFailure(error: unknown): { status: number | undefined; text: string } {
  const e = error as { status?: unknown; message?: unknown; response?: { data?: unknown } };
  // Octokit reports a failed fetch (refused, reset, timeout) as status 500 without a response.
  const status = typeof e.status === 'number' && !(e.status === 500 && e.response === undefined) ? e.status : undefined;
  let text = typeof e.message === 'string' ? e.message : String(error);
  const data = e.response?.data;
  if (data && typeof data === 'object') {
    const errors = (data as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const details = errors
        .map((x) => (x && typeof x === 'object' ? String((x as { message?: unknown }).message ?? (x as { code?: unknown }).code ?? '') : String(x)))
        .filter(Boolean);
      if (details.length) text = `${text}: ${details.join('; ')}`;
    }
  }
  return { status, text };
}

/** Turns an Octokit failure into a {@link GitHubError} whose message says what to do. */
export function toGitHubError(error: unknown, what: string): GitHubError {
  if (error instanceof GitHubError) return error;
  const { status, text } = describeFailure(error);
  const options = { status, cause: error } as { status?: number; cause: unknown };
  if (status === 401) return new GitHubError('unauthorized', `${what}: GitHub rejected the token (401). Check GITHUB_TOKEN / GH_TOKEN or run \`gh auth login\`.`, options);
  if (status === 403 || status === 429) {
    if (/rate limit/i.test(text) || status === 429) return new GitHubError('rate_limited', `${what}: GitHub rate limit reached (${status}); try again later.`, options);
    return new GitHubError('forbidden', `${what}: the token may not do this (403): ${text}. Check the token's scopes.`, options);
  }
  if (status === 404) return new GitHubError('not_found', `${what}: not found (404). Check the owner, repository and number, and that the token can see the repository.`, options);
  if (status === 422) return new GitHubError('validation', `${what}: GitHub refused the request (422): ${text}`, options);
  if (status !== undefined && status >= 500) return new GitHubError('server', `${what}: GitHub failed (${status}); try again later.`, options);
  if (status === undefined) return new GitHubError('network', `${what}: cannot reach GitHub: ${text}. Check the network and --github-api-url / GITHUB_API_URL.`, options);
  return new GitHubError('invalid_response', `${what}: unexpected answer ${status}: ${text}`, options);
}

/** Runs one GitHub call and turns any failure into a {@link GitHubError} about `what`. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toGitHubError(error, what);
  }
}

/** Runs a read whose "absent" answers (by default 404) mean null rather than a failure. */
export async function orNull<T>(what: string, fn: () => Promise<T>, absent: number[] = [404]): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    const { status } = describeFailure(error);
    if (status !== undefined && absent.includes(status)) return null;
    throw toGitHubError(error, what);
  }
}
