import { GitHubError } from './errors.js';
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { repoContentMethods } from './octokit-contents.js';
import { call, describeFailure, toGitHubError } from './octokit-errors.js';
import { issueMethods } from './octokit-issues.js';
import { createSearchThrottle, type SearchThrottleOptions } from './search-throttle.js';
import type { CheckItem, CreatedPullRequest, CreatePullRequestInput, GitHubClient, PullRequestInfo, RepoRef, ReviewCommentInfo, ReviewInfo, CheckRunDetails } from './github-client.js';

/** The public GitHub REST API. */
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** Where a client's warnings go (rate limits, retries). Never receives the token. */
export interface GitHubClientLog {
  warn(message: string): void;
}

/** Options of {@link createOctokitClient}. */
export interface OctokitClientOptions {
  /** A GitHub token (see `resolveGitHubToken`). */
  token: string;
  /** The REST API root: `https://api.github.com`, a GitHub Enterprise `https://host/api/v3`, or a local stub. */
  baseUrl?: string | undefined;
  /** Retries of a 5xx or network failure; default 3. */
  retries?: number;
  /** Milliseconds per retry "unit" (the retry plugin waits unit × attempt²); default 1000. Tests pass 1. */
  retryBaseMs?: number;
  /** Retries after a primary or secondary rate limit; default 1. */
  rateLimitRetries?: number;
  /**
   * Pace requests the way GitHub asks (writes at least 1 s apart, rate limits waited out); default true. Only
   * tests against a local stub turn it off.
   */
  throttle?: boolean;
  /** Milliseconds before one HTTP request is abandoned; default 30 000. */
  requestTimeoutMs?: number;
  /**
   * The search rate limit kept on this side (default GitHub's 30 per 60 s) and the longest wait for GitHub's reset
   * (default 60 s) before a search fails with `rate_limited`. Tests against the stub pass small numbers.
   */
  searchRateLimit?: SearchThrottleOptions;
  log?: GitHubClientLog;
}

export { toGitHubError } from './octokit-errors.js';

const ThrottledOctokit = Octokit.plugin(throttling, retry);

/** Search requests leave rate limits to the search throttle, which bounds the wait and says when the limit resets. */
const isSearch = (req: { url: string }) => /\/search\//.test(req.url);

function pullFrom(data: any): PullRequestInfo {
  if (!data || typeof data.number !== 'number') throw new GitHubError('invalid_response', 'GitHub returned a pull request without a number');
  return {
    number: data.number,
    url: String(data.html_url ?? ''),
    state: data.state === 'closed' ? 'closed' : 'open',
    merged: data.merged === true || (typeof data.merged_at === 'string' && data.merged_at !== ''),
    draft: data.draft === true,
    headSha: String(data.head?.sha ?? ''),
    headRef: String(data.head?.ref ?? ''),
    headOwner: typeof data.head?.repo?.owner?.login === 'string' ? data.head.repo.owner.login : typeof data.head?.user?.login === 'string' ? data.head.user.login : null,
    baseRef: String(data.base?.ref ?? ''),
  };
}

/**
 * A {@link GitHubClient} backed by `@octokit/rest` with the throttling and retry plugins, implementing every method
 * of the port. Rate limits are waited out once, 5xx and network failures are retried with backoff, searches stay
 * within GitHub's search rate limit (see `searchRateLimit`), and every failure becomes a {@link GitHubError}.
 *
 * @example
 * const github = createOctokitClient({ token, baseUrl: env.GITHUB_API_URL });
 * const { pullRequest } = await github.createPullRequest({ owner: 'acme', repo: 'widgets', head: 'agentpr/x',
 *   headOwner: 'me', title: 'Add x', body: '…' });
 */
export function createOctokitClient(options: OctokitClientOptions): GitHubClient {
  const log = options.log ?? { warn() {} };
  const rateLimitRetries = options.rateLimitRetries ?? 1;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  const octokit = new ThrottledOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
    userAgent: 'agentpr',
    request: { fetch: fetchWithTimeout },
    log: { debug() {}, info() {}, warn: (m: string) => log.warn(m), error: (m: string) => log.warn(m) },
    // 429 is a rate limit, not a failure to retry at once: the throttling plugin (or the search throttle) waits it out.
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryBaseMs ?? 1000, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      enabled: options.throttle ?? true,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      onRateLimit: (retryAfter: number, req: { method: string; url: string }, _o: unknown, retryCount: number) => {
        if (isSearch(req)) return false;
        log.warn(`GitHub rate limit on ${req.method} ${req.url}; retry after ${retryAfter}s`);
        return retryCount < rateLimitRetries;
      },
      onSecondaryRateLimit: (retryAfter: number, req: { method: string; url: string }, _o: unknown, retryCount: number) => {
        if (isSearch(req)) return false;
        log.warn(`GitHub secondary rate limit on ${req.method} ${req.url}; retry after ${retryAfter}s`);
        return retryCount < rateLimitRetries;
      },
    },
  });

  const getDefaultBranch = (repo: RepoRef) =>
    call(`reading ${repo.owner}/${repo.repo}`, async () => {
      const { data } = await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo });
      const branch = data.default_branch;
      if (!branch) throw new GitHubError('invalid_response', `${repo.owner}/${repo.repo} has no default branch`);
      return branch;
    });

  const searchThrottle = createSearchThrottle(options.searchRateLimit, (m) => log.warn(m));

  return {
    ...repoContentMethods(octokit),
    ...issueMethods(octokit, searchThrottle),
    getDefaultBranch,

    async createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest> {
      const base = input.base?.trim() || (await getDefaultBranch(input));
      const head = `${input.headOwner}:${input.head}`;
      const what = `creating a PR ${head} → ${input.owner}/${input.repo}:${base}`;
      try {
        const { data } = await octokit.rest.pulls.create({
          owner: input.owner,
          repo: input.repo,
          title: input.title,
          body: input.body,
          head,
          base,
          draft: input.draft === true,
        });
        return { pullRequest: pullFrom(data), alreadyExists: false };
      } catch (error) {
        const { status, text } = describeFailure(error);
        if (status === 422 && /already exists/i.test(text)) {
          const existing = await call(`${what}: finding the existing PR`, () =>
            octokit.rest.pulls.list({ owner: input.owner, repo: input.repo, head, state: 'open', per_page: 10 }),
          );
          const first = existing.data[0];
          if (first) return { pullRequest: pullFrom(first), alreadyExists: true };
        }
        throw toGitHubError(error, what);
      }
    },

    getPullRequest: (repo, number) =>
      call(`reading PR ${repo.owner}/${repo.repo}#${number}`, async () => {
        const { data } = await octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
        return pullFrom(data);
      }),

    closePullRequest: (repo, number) =>
      call(`closing PR ${repo.owner}/${repo.repo}#${number}`, async () => {
        const { data } = await octokit.rest.pulls.update({ owner: repo.owner, repo: repo.repo, pull_number: number, state: 'closed' });
        return pullFrom(data);
      }),

    listChecksForRef: (repo, ref) =>
      call(`reading checks of ${repo.owner}/${repo.repo}@${ref}`, async () => {
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, { owner: repo.owner, repo: repo.repo, ref, per_page: 100 });
        const { data: combined } = await octokit.rest.repos.getCombinedStatusForRef({ owner: repo.owner, repo: repo.repo, ref, per_page: 100 });
        const items: CheckItem[] = runs.map((r) => ({
          kind: 'check_run' as const,
          name: String(r.name ?? ''),
          status: String(r.status ?? '').toLowerCase(),
          conclusion: r.conclusion ? String(r.conclusion).toLowerCase() : null,
        }));
        for (const s of combined.statuses ?? []) items.push({ kind: 'status', context: String(s.context ?? ''), state: String(s.state ?? '').toLowerCase() });
        return items;
      }),

    listReviews: (repo, number) =>
      call(`reading reviews of ${repo.owner}/${repo.repo}#${number}`, async () => {
        const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: repo.owner, repo: repo.repo, pull_number: number, per_page: 100 });
        return reviews.map(
          (r): ReviewInfo => ({
            id: Number(r.id),
            state: String(r.state ?? '').toLowerCase(),
            submittedAt: r.submitted_at ?? null,
            commitId: r.commit_id ?? null,
            body: r.body ? String(r.body) : null,
            author: r.user?.login ?? null,
          }),
        );
      }),

    listCheckRunDetails: (repo, ref) =>
      call(`reading check runs of ${repo.owner}/${repo.repo}@${ref}`, async () => {
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, { owner: repo.owner, repo: repo.repo, ref, per_page: 100 });
        return runs.map(
          (r): CheckRunDetails => ({
            id: Number(r.id),
            name: String(r.name ?? ''),
            status: String(r.status ?? '').toLowerCase(),
            conclusion: r.conclusion ? String(r.conclusion).toLowerCase() : null,
            output: { title: r.output?.title ?? null, summary: r.output?.summary ?? null, text: r.output?.text ?? null },
            detailsUrl: r.details_url ?? null,
          }),
        );
      }),

    listReviewComments: (repo, number) =>
      call(`reading review comments of ${repo.owner}/${repo.repo}#${number}`, async () => {
        const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
          owner: repo.owner, repo: repo.repo, pull_number: number, per_page: 100,
        });
        return comments.map(
          (c): ReviewCommentInfo => ({
            id: Number(c.id),
            path: String(c.path ?? ''),
            line: typeof c.line === 'number' ? c.line : typeof c.original_line === 'number' ? c.original_line : null,
            body: String(c.body ?? ''),
            author: c.user?.login ?? null,
            inReplyTo: typeof c.in_reply_to_id === 'number' ? c.in_reply_to_id : null,
            createdAt: c.created_at ?? null,
          }),
        );
      }),
  };
}
