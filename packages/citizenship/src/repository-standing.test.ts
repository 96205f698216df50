import { describe, expect, it } from 'vitest';
import type { CommitInfo, GitHubClient, IssueCommentInfo, PullRequestListItem, RepositoryInfo } from '@agentpr/github';
import { fetchRepositoryFacts, newestActivity, repositoryStanding, type RepositoryFacts } from './repository-standing.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const REF = { owner: 'o', repo: 'r' };

interface FakeRepo {
  repository: Partial<RepositoryInfo>;
  commits?: CommitInfo[];
  closed?: Array<Partial<PullRequestListItem>>;
  comments?: Array<Partial<IssueCommentInfo>>;
}

function fake(repo: FakeRepo): GitHubClient & { calls: string[] } {
  const calls: string[] = [];
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    calls,
    getDefaultBranch: unused, createPullRequest: unused, getPullRequest: unused, listChecksForRef: unused, listReviews: unused,
    async getRepository(ref) {
      calls.push('getRepository');
      return { owner: ref.owner, repo: ref.repo, defaultBranch: 'main', archived: false, fork: false, pushedAt: null, htmlUrl: 'https://github.test/o/r', ...repo.repository };
    },
    async listCommits(_ref, options) {
      calls.push(`listCommits:${options?.limit}`);
      return repo.commits ?? [];
    },
    async listPullRequests(_ref, options) {
      calls.push(`listPullRequests:${options?.state}`);
      return (repo.closed ?? []).map((p, i) => ({ number: i + 1, title: 't', htmlUrl: 'u', state: 'closed', author: 'a', createdAt: '2020-01-01T00:00:00Z', closedAt: null, mergedAt: null, headRef: 'h', ...p }));
    },
    async listRepoIssueComments() {
      calls.push('listRepoIssueComments');
      return (repo.comments ?? []).map((c, i) => ({ id: i, body: 'b', author: 'x', authorAssociation: 'NONE', createdAt: '2020-01-01T00:00:00Z', htmlUrl: null, ...c }));
    },
  };
}

const facts = (patch: Partial<RepositoryFacts>): RepositoryFacts => ({
  archived: false, defaultBranch: 'main', lastCommitAt: null, lastMergedPrAt: null, lastMaintainerCommentAt: null, activityChecked: true, fetchedAt: NOW.toISOString(), ...patch,
});

describe('fetchRepositoryFacts', () => {
  it('reads archived, the newest commit, the newest merge and the newest maintainer comment (not a stranger\'s)', async () => {
    const github = fake({
      repository: { archived: true, defaultBranch: 'trunk' },
      commits: [{ sha: 'a', date: '2026-01-02T03:04:05Z', author: 'm' }],
      closed: [{ mergedAt: '2026-02-01T00:00:00Z' }, { mergedAt: null }, { mergedAt: '2026-03-01T00:00:00Z' }],
      comments: [
        { authorAssociation: 'MEMBER', createdAt: '2026-04-01T00:00:00Z' },
        { authorAssociation: 'NONE', createdAt: '2026-09-01T00:00:00Z' },
        { authorAssociation: 'OWNER', createdAt: 'not a date' },
      ],
    });
    expect(await fetchRepositoryFacts(github, REF, { activity: true, now: NOW })).toEqual({
      archived: true,
      defaultBranch: 'trunk',
      lastCommitAt: '2026-01-02T03:04:05.000Z',
      lastMergedPrAt: '2026-03-01T00:00:00.000Z',
      lastMaintainerCommentAt: '2026-04-01T00:00:00.000Z',
      activityChecked: true,
      fetchedAt: NOW.toISOString(),
    });
    expect(github.calls).toEqual(['getRepository', 'listCommits:1', 'listPullRequests:closed', 'listRepoIssueComments']);
  });

  it('without activity only the repository is read', async () => {
    const github = fake({ repository: {} });
    const facts = await fetchRepositoryFacts(github, REF, { activity: false, now: NOW });
    expect(facts).toMatchObject({ archived: false, activityChecked: false, lastCommitAt: null });
    expect(github.calls).toEqual(['getRepository']);
  });

  it('a client without the methods it needs is an error that names the method', async () => {
    const github = fake({ repository: {} });
    delete (github as Partial<GitHubClient>).listRepoIssueComments;
    await expect(fetchRepositoryFacts(github, REF, { activity: true, now: NOW })).rejects.toThrow(/listRepoIssueComments/);
    delete (github as Partial<GitHubClient>).getRepository;
    await expect(fetchRepositoryFacts(github, REF, { activity: false, now: NOW })).rejects.toThrow(/getRepository/);
  });
});

describe('repositoryStanding', () => {
  const rules = { skipArchived: true, maxInactiveDays: 365 };

  it('archived (when skipped) before anything else; archived but not skipped is judged on activity', () => {
    expect(repositoryStanding(facts({ archived: true }), rules, NOW)).toEqual({ kind: 'archived' });
    expect(repositoryStanding(facts({ archived: true, lastCommitAt: '2026-11-01T00:00:00.000Z' }), { ...rules, skipArchived: false }, NOW).kind).toBe('active');
  });

  it('inactive when the newest of commit, merge and maintainer comment is older than the limit, or none is known', () => {
    const old = facts({ lastCommitAt: '2025-01-01T00:00:00.000Z', lastMergedPrAt: '2025-06-01T00:00:00.000Z' });
    expect(repositoryStanding(old, rules, NOW)).toEqual({ kind: 'inactive', newestActivityAt: '2025-06-01T00:00:00.000Z', maxInactiveDays: 365 });
    expect(repositoryStanding(facts({}), rules, NOW)).toEqual({ kind: 'inactive', newestActivityAt: null, maxInactiveDays: 365 });
  });

  it('active when any one signal is recent enough (a maintainer reply alone will do)', () => {
    const replied = facts({ lastCommitAt: '2020-01-01T00:00:00.000Z', lastMaintainerCommentAt: '2026-11-20T00:00:00.000Z' });
    expect(repositoryStanding(replied, rules, NOW)).toEqual({ kind: 'active', newestActivityAt: '2026-11-20T00:00:00.000Z' });
    expect(newestActivity(replied)).toBe('2026-11-20T00:00:00.000Z');
  });

  it('max_inactive_days 0 never skips for inactivity; nor do facts read without activity', () => {
    expect(repositoryStanding(facts({}), { ...rules, maxInactiveDays: 0 }, NOW).kind).toBe('active');
    expect(repositoryStanding(facts({ activityChecked: false }), rules, NOW).kind).toBe('active');
  });
});
