import { HttpError, type Route, type StubCall } from './http.js';
import { issueJson, latest } from './stub-json.js';
import { compileSearch, SearchQueryError, type Searchable } from './search-query.js';
import { repoKey, type StubState } from './stub-state.js';
import type { StubIssue, StubPullRequest, StubSearchRateLimit } from './stub-types.js';

/** GitHub's search rate limit for an authenticated user. */
export const DEFAULT_SEARCH_RATE_LIMIT: StubSearchRateLimit = { limit: 30, windowMs: 60_000 };

/**
 * The search API's rate limit: at most `limit` requests per rolling `windowMs` (wall clock). Over the limit the
 * request is answered as GitHub does: 403, `x-ratelimit-remaining: 0`, `x-ratelimit-reset` (epoch seconds) and
 * `retry-after`; refused requests do not count.
 */
export class SearchRateLimiter {
  private served: number[] = [];
  constructor(private limit: StubSearchRateLimit) {}

  set(limit: Partial<StubSearchRateLimit>): void {
    this.limit = { ...this.limit, ...limit };
    this.served = [];
  }

  /** Counts one search request; throws the 403 when the window is full. Returns the rate-limit headers of a success. */
  take(nowMs: number): Record<string, string> {
    this.served = this.served.filter((t) => t > nowMs - this.limit.windowMs);
    const resetMs = (this.served[0] ?? nowMs) + this.limit.windowMs;
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(this.limit.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-used': String(this.limit.limit - remaining),
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
      'x-ratelimit-resource': 'search',
    });
    if (this.served.length >= this.limit.limit) {
      const retryAfter = String(Math.max(1, Math.ceil((resetMs - nowMs) / 1000)));
      throw new HttpError(
        403,
        'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.',
        { documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
        { ...headers(0), 'retry-after': retryAfter },
      );
    }
    this.served.push(nowMs);
    return headers(this.limit.limit - this.served.length);
  }
}

function searchable(s: StubState, item: StubIssue | StubPullRequest): Searchable {
  const comments = (s.comments.get(repoKey(item.owner, item.repo)) ?? []).filter((c) => c.issueNumber === item.number);
  const isPull = 'headRef' in item;
  return {
    kind: isPull ? 'pr' : 'issue',
    owner: item.owner,
    repo: item.repo,
    title: item.title,
    body: item.body,
    author: item.author,
    state: item.state,
    merged: isPull && item.merged,
    draft: isPull && item.draft,
    labels: isPull ? [] : item.labels,
    comments: comments.map((c) => c.body),
    createdAt: item.createdAt,
    closedAt: item.closedAt,
    mergedAt: isPull && item.merged ? (item.mergedAt ?? item.closedAt) : null,
    updatedAt: latest(item.createdAt, item.closedAt, ...comments.map((c) => c.createdAt)),
  };
}

function search(s: StubState, limiter: SearchRateLimiter, call: StubCall) {
  const headers = limiter.take(Date.now());
  const q = call.query.get('q') ?? '';
  let matches: (item: Searchable) => boolean;
  try {
    matches = compileSearch(q);
  } catch (error) {
    if (!(error instanceof SearchQueryError)) throw error;
    throw new HttpError(422, 'Validation Failed', { errors: [{ message: error.message, resource: 'Search', field: 'q', code: 'invalid' }] }, headers);
  }
  const all = [...s.issues.values(), ...s.pulls.values()].flat();
  const found = all.map((item) => ({ item, flat: searchable(s, item) })).filter(({ flat }) => matches(flat));
  const sort = call.query.get('sort');
  const asc = call.query.get('order') === 'asc';
  const at = (x: Searchable) => Date.parse(sort === 'updated' ? x.updatedAt : x.createdAt);
  found.sort((a, b) => (at(a.flat) - at(b.flat) || a.item.number - b.item.number) * (asc ? 1 : -1));
  const perPage = Math.max(1, Math.min(100, Number(call.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(call.query.get('page') ?? 1) || 1);
  const items = found.slice((page - 1) * perPage, page * perPage).map(({ item }) => ({ ...issueJson(s, item), score: 1 }));
  return { status: 200, body: { total_count: found.length, incomplete_results: false, items }, headers };
}

/** `GET /search/issues` over the stub's issues and PRs, rate-limited like GitHub's search API. */
export function searchRoutes(s: StubState, limiter: SearchRateLimiter): Route[] {
  return [{ method: 'GET', pattern: /^\/search\/issues$/, handle: (c) => search(s, limiter, c) }];
}
