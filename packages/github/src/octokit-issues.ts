import type {
  AuthorAssociation,
  GitHubClient,
  IssueCommentInfo,
  IssueInfo,
  IssueSearchItem,
  IssueSearchResult,
  PullRequestListItem,
  RepoRef,
} from './github-client.js';
import { collectPages, type OctokitApi } from './octokit-api.js';
import { call, orNull } from './octokit-errors.js';
import type { SearchThrottle } from './search-throttle.js';

type IssueMethods = Required<
  Pick<GitHubClient, 'searchIssues' | 'listPullRequests' | 'getIssue' | 'listIssueComments' | 'listRepoIssueComments' | 'createIssueComment'>
>;

const slug = (repo: RepoRef) => `${repo.owner}/${repo.repo}`;

const ASSOCIATIONS = new Set<AuthorAssociation>(['OWNER', 'MEMBER', 'COLLABORATOR', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'FIRST_TIMER', 'MANNEQUIN', 'NONE']);

/** GitHub's `author_association`, upper-cased; null when absent or unknown. */
export function authorAssociationFrom(value: unknown): AuthorAssociation | null {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return ASSOCIATIONS.has(upper as AuthorAssociation) ? (upper as AuthorAssociation) : null;
}

const stateOf = (value: unknown): 'open' | 'closed' => (value === 'closed' ? 'closed' : 'open');

function commentFrom(c: any): IssueCommentInfo {
  return {
    id: Number(c.id),
    body: String(c.body ?? ''),
    author: c.user?.login ?? null,
    authorAssociation: authorAssociationFrom(c.author_association),
    createdAt: String(c.created_at ?? ''),
    htmlUrl: c.html_url ?? null,
  };
}

function searchItemFrom(i: any): IssueSearchItem {
  return {
    number: Number(i.number),
    title: String(i.title ?? ''),
    body: typeof i.body === 'string' ? i.body : null,
    htmlUrl: String(i.html_url ?? ''),
    state: stateOf(i.state),
    isPullRequest: i.pull_request != null,
    author: i.user?.login ?? null,
    createdAt: String(i.created_at ?? ''),
    closedAt: i.closed_at ?? null,
    merged: typeof i.pull_request?.merged_at === 'string' && i.pull_request.merged_at !== '',
  };
}

function pullListItemFrom(p: any): PullRequestListItem {
  return {
    number: Number(p.number),
    title: String(p.title ?? ''),
    htmlUrl: String(p.html_url ?? ''),
    state: stateOf(p.state),
    author: p.user?.login ?? null,
    createdAt: String(p.created_at ?? ''),
    closedAt: p.closed_at ?? null,
    mergedAt: p.merged_at ?? null,
    headRef: String(p.head?.ref ?? ''),
  };
}

/**
 * The issue-side methods of the Octokit client: `/search/issues` (through the search throttle), PR lists, one issue,
 * conversation comments (read and post).
 */
export function issueMethods(octokit: OctokitApi, throttle: SearchThrottle): IssueMethods {
  return {
    searchIssues: (query, options = {}) =>
      throttle.run(`searching GitHub for "${query.slice(0, 80)}"`, async (): Promise<IssueSearchResult> => {
        const perPage = Math.max(1, Math.min(100, options.perPage ?? 30));
        const { data } = await octokit.request('GET /search/issues', { q: query, per_page: perPage });
        return { totalCount: Number(data.total_count ?? 0), incomplete: data.incomplete_results === true, items: (data.items ?? []).map(searchItemFrom) };
      }),

    listPullRequests: (repo, options = {}) =>
      call(`listing PRs of ${slug(repo)}`, () =>
        collectPages(
          octokit,
          'GET /repos/{owner}/{repo}/pulls',
          { owner: repo.owner, repo: repo.repo, state: options.state ?? 'open', sort: 'created', direction: 'desc' },
          options.limit ?? 100,
          pullListItemFrom,
        ),
      ),

    async getIssue(repo, number): Promise<IssueInfo | null> {
      // 410: the issue was deleted; GitHub no longer has it.
      const response = await orNull(`reading issue ${slug(repo)}#${number}`, () => octokit.rest.issues.get({ owner: repo.owner, repo: repo.repo, issue_number: number }), [404, 410]);
      if (!response) return null;
      const i = response.data as any;
      return {
        number: Number(i.number),
        title: String(i.title ?? ''),
        state: stateOf(i.state),
        isPullRequest: i.pull_request != null,
        htmlUrl: String(i.html_url ?? ''),
        author: i.user?.login ?? null,
        createdAt: String(i.created_at ?? ''),
        closedAt: i.closed_at ?? null,
      };
    },

    listIssueComments: (repo, number, options = {}) =>
      call(`reading comments of ${slug(repo)}#${number}`, () =>
        collectPages(
          octokit,
          'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
          { owner: repo.owner, repo: repo.repo, issue_number: number, ...(options.since ? { since: options.since } : {}) },
          options.limit ?? 300,
          commentFrom,
        ),
      ),

    listRepoIssueComments: (repo, options = {}) =>
      call(`reading recent comments of ${slug(repo)}`, () =>
        collectPages(
          octokit,
          'GET /repos/{owner}/{repo}/issues/comments',
          { owner: repo.owner, repo: repo.repo, sort: 'created', direction: 'desc', ...(options.since ? { since: options.since } : {}) },
          options.limit ?? 100,
          commentFrom,
        ),
      ),

    createIssueComment: (repo, number, body) =>
      call(`commenting on ${slug(repo)}#${number}`, async () => {
        const { data } = await octokit.rest.issues.createComment({ owner: repo.owner, repo: repo.repo, issue_number: number, body });
        return commentFrom(data);
      }),
  };
}
