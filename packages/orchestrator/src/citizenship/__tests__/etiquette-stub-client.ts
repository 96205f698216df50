import { createOctokitClient, GitHubError, type AuthorAssociation, type GitHubClient } from '@agentpr/github';

/** The token the stand-in is started with. */
export const ETIQUETTE_STUB_TOKEN = 'etiquette-stand-in-token';

type Json = Record<string, unknown>;

async function get(base: string, path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `token ${ETIQUETTE_STUB_TOKEN}`, accept: 'application/vnd.github+json' } });
  if (!response.ok) throw new GitHubError(response.status >= 500 ? 'server' : 'validation', `GitHub answered ${response.status} to GET ${path.split('?')[0]}`, { status: response.status });
  return response.json();
}

const login = (user: unknown) => ((user as Json | null)?.login as string | undefined) ?? null;

/**
 * The Octokit client against the GitHub stand-in, as the apps build it. Until the Octokit adapter serves the
 * repository, commit, closed-PR and repository-comment reads the etiquette uses, small fetch-based versions stand in
 * for them (the stand-in checks every request against GitHub's OpenAPI description either way); the adapter's own
 * methods win as soon as it has them.
 */
export function etiquetteStubClient(url: string): GitHubClient {
  const octokit = createOctokitClient({ token: ETIQUETTE_STUB_TOKEN, baseUrl: url, throttle: false, retries: 0 });
  const interim: Partial<GitHubClient> = {
    async getRepository(repo) {
      const r = (await get(url, `/repos/${repo.owner}/${repo.repo}`)) as Json;
      return {
        owner: repo.owner, repo: repo.repo, defaultBranch: String(r.default_branch), archived: Boolean(r.archived), fork: Boolean(r.fork),
        pushedAt: (r.pushed_at as string | null) ?? null, htmlUrl: String(r.html_url),
      };
    },
    async listCommits(repo, options) {
      const list = (await get(url, `/repos/${repo.owner}/${repo.repo}/commits?per_page=${options?.limit ?? 1}`)) as Json[];
      const dateOf = (c: Json) => (((c.commit as Json).committer as Json | null)?.date as string | undefined) ?? null;
      return list.map((c) => ({ sha: String(c.sha), date: dateOf(c), author: login(c.author) }));
    },
    async listPullRequests(repo, options) {
      const list = (await get(url, `/repos/${repo.owner}/${repo.repo}/pulls?state=${options?.state ?? 'open'}&per_page=${options?.limit ?? 100}`)) as Json[];
      return list.map((p) => ({
        number: Number(p.number), title: String(p.title), htmlUrl: String(p.html_url), state: p.state === 'closed' ? ('closed' as const) : ('open' as const),
        author: login(p.user), createdAt: String(p.created_at), closedAt: (p.closed_at as string | null) ?? null,
        mergedAt: (p.merged_at as string | null) ?? null, headRef: String((p.head as Json).ref),
      }));
    },
    async listRepoIssueComments(repo, options) {
      const list = (await get(url, `/repos/${repo.owner}/${repo.repo}/issues/comments?sort=created&direction=desc&per_page=${options?.limit ?? 100}`)) as Json[];
      return list.map((c) => ({
        id: Number(c.id), body: String(c.body ?? ''), author: login(c.user), authorAssociation: (c.author_association as AuthorAssociation | undefined) ?? null,
        createdAt: String(c.created_at), htmlUrl: (c.html_url as string | null) ?? null,
      }));
    },
  };
  return { ...interim, ...octokit };
}
