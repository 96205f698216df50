import { createOctokitClient, GitHubError, type GitHubClient, type IssueSearchItem } from '@agentpr/github';

/** The token the stand-in is started with. */
export const STUB_TOKEN = 'stand-in-token';

type Json = Record<string, unknown>;

async function get(base: string, path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `token ${STUB_TOKEN}`, accept: 'application/vnd.github+json' } });
  if (!response.ok) {
    const code = response.status >= 500 ? 'server' : response.status === 403 || response.status === 429 ? 'rate_limited' : 'validation';
    throw new GitHubError(code, `GitHub answered ${response.status} to GET ${path.split('?')[0]}`, { status: response.status });
  }
  return response.json();
}

function searchItem(raw: Json): IssueSearchItem {
  const pull = raw.pull_request as Json | undefined;
  return {
    number: Number(raw.number),
    title: String(raw.title ?? ''),
    body: (raw.body as string | null) ?? null,
    htmlUrl: String(raw.html_url),
    state: raw.state === 'closed' ? 'closed' : 'open',
    isPullRequest: pull !== undefined,
    author: ((raw.user as Json | null)?.login as string | undefined) ?? null,
    createdAt: String(raw.created_at),
    closedAt: (raw.closed_at as string | null) ?? null,
    merged: Boolean(pull?.merged_at),
  };
}

/**
 * The Octokit client against the GitHub stand-in. Until the Octokit adapter serves `searchIssues`, `listBranches` and
 * `getRepository`, small fetch-based versions stand in for them (the stand-in checks every request against GitHub's
 * OpenAPI description either way); the adapter's own methods win as soon as it has them.
 */
export function stubClient(url: string): GitHubClient {
  const octokit = createOctokitClient({ token: STUB_TOKEN, baseUrl: url, throttle: false, retries: 0 });
  return {
    searchIssues: async (q, options) => {
      const body = (await get(url, `/search/issues?q=${encodeURIComponent(q)}&per_page=${options?.perPage ?? 30}`)) as Json;
      return { totalCount: Number(body.total_count), incomplete: Boolean(body.incomplete_results), items: (body.items as Json[]).map(searchItem) };
    },
    listBranches: async (repo) => {
      const list = (await get(url, `/repos/${repo.owner}/${repo.repo}/branches?per_page=100`)) as Json[];
      return list.map((b) => ({ name: String(b.name), sha: String((b.commit as Json).sha) }));
    },
    getRepository: async (repo) => {
      const r = (await get(url, `/repos/${repo.owner}/${repo.repo}`)) as Json;
      return {
        owner: repo.owner,
        repo: repo.repo,
        defaultBranch: String(r.default_branch),
        archived: Boolean(r.archived),
        fork: Boolean(r.fork),
        pushedAt: (r.pushed_at as string | null) ?? null,
        htmlUrl: String(r.html_url),
      };
    },
    ...octokit,
  };
}
