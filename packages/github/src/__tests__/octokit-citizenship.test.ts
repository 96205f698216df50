import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { createOctokitClient } from '../octokit-client.js';
import type { GitHubClient } from '../github-client.js';

const TOKEN = 'ghp_stubtoken0000000000000000000000000000';
const REPO = { owner: 'Acme', repo: 'Widgets' };
let stub: GitHubStub;
let github: Required<GitHubClient>;

beforeAll(async () => {
  stub = await startGitHubStub({ token: TOKEN, login: 'agentpr-bot', now: () => new Date('2026-03-10T12:00:00Z') });
  stub.addRepo('Acme', 'Widgets', { defaultBranch: 'trunk', pushedAt: '2026-03-01T00:00:00Z' });
  github = createOctokitClient({ token: TOKEN, baseUrl: stub.url, retries: 1, retryBaseMs: 1, throttle: false }) as Required<GitHubClient>;
});
afterAll(() => stub.close());

describe('createOctokitClient: the repository reads', () => {
  it('getRepository reports the default branch, archived, fork and pushed_at', async () => {
    expect(await github.getRepository(REPO)).toEqual({
      owner: 'Acme', repo: 'Widgets', defaultBranch: 'trunk', archived: false, fork: false, pushedAt: '2026-03-01T00:00:00Z', htmlUrl: 'https://github.com/Acme/Widgets',
    });
    await expect(github.getRepository({ owner: 'nobody', repo: 'none' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('getFile decodes a regular file, caps it at maxBytes on a character boundary, and answers null for a symlink, a directory, a submodule or nothing', async () => {
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', '# Contributing\nNo AI-generated PRs, please.\n');
    stub.addFile('acme', 'widgets', 'docs/big.md', `${'é'.repeat(10)}tail`);
    stub.addSymlink('acme', 'widgets', 'AGENTS.md', 'CONTRIBUTING.md');
    stub.addSubmodule('acme', 'widgets', 'vendor/lib', 'https://github.com/x/lib.git');
    expect(await github.getFile(REPO, 'CONTRIBUTING.md')).toMatchObject({ path: 'CONTRIBUTING.md', text: '# Contributing\nNo AI-generated PRs, please.\n', truncated: false, size: 44 });
    const capped = await github.getFile(REPO, '/docs/big.md', { maxBytes: 5 });
    expect(capped).toMatchObject({ path: 'docs/big.md', text: 'éé', truncated: true, size: 24 });
    expect(await github.getFile(REPO, 'AGENTS.md')).toBeNull(); // GitHub would answer with CONTRIBUTING.md's content
    expect(await github.getFile(REPO, 'docs')).toBeNull();
    expect(await github.getFile(REPO, 'vendor/lib')).toBeNull();
    expect(await github.getFile(REPO, 'nothing.md')).toBeNull();
    stub.addFile('acme', 'widgets', 'CONTRIBUTING.md', 'old rules', { ref: 'v1' });
    expect((await github.getFile(REPO, 'CONTRIBUTING.md', { ref: 'v1' }))?.text).toBe('old rules');
  });

  it('listDirectory lists entries with their types, and answers null for a missing directory or a file', async () => {
    stub.addFile('acme', 'widgets', '.github/PULL_REQUEST_TEMPLATE/feature.md', 'Describe it');
    stub.addFile('acme', 'widgets', '.github/CODE_OF_CONDUCT.md', 'Be kind');
    expect(await github.listDirectory(REPO, '.github')).toEqual([
      { name: 'CODE_OF_CONDUCT.md', path: '.github/CODE_OF_CONDUCT.md', type: 'file', size: 7 },
      { name: 'PULL_REQUEST_TEMPLATE', path: '.github/PULL_REQUEST_TEMPLATE', type: 'dir', size: 0 },
    ]);
    expect((await github.listDirectory(REPO, ''))?.map((e) => [e.name, e.type])).toContainEqual(['AGENTS.md', 'symlink']);
    expect(await github.listDirectory(REPO, 'missing')).toBeNull();
    expect(await github.listDirectory(REPO, 'CONTRIBUTING.md')).toBeNull();
  });

  it('listBranches pages up to the limit and listCommits gives the newest commits of a branch, since a time', async () => {
    for (let i = 0; i < 120; i++) stub.addBranch('acme', 'widgets', `b-${String(i).padStart(3, '0')}`);
    expect(await github.listBranches(REPO, { limit: 105 })).toHaveLength(105);
    expect((await github.listBranches(REPO)).map((b) => b.name)).toContain('trunk');
    stub.addCommit('acme', 'widgets', { date: '2025-01-01T00:00:00Z', author: 'alice', sha: '1'.repeat(40) });
    stub.addCommit('acme', 'widgets', { date: '2025-06-01T00:00:00Z', author: null, sha: '2'.repeat(40) });
    expect(await github.listCommits(REPO)).toEqual([{ sha: '2'.repeat(40), date: '2025-06-01T00:00:00Z', author: null }]);
    expect(await github.listCommits(REPO, { limit: 5, since: '2024-12-31T00:00:00Z' })).toHaveLength(2);
    expect(await github.listCommits(REPO, { ref: 'trunk', since: '2025-07-01T00:00:00Z' })).toEqual([]);
  });
});

describe('createOctokitClient: issues, comments, PR lists and search', () => {
  it('getIssue reads an issue or a PR as an issue, and answers null for a missing number', async () => {
    const issue = stub.addIssue('acme', 'widgets', { title: 'Support Example', author: 'reporter', createdAt: '2026-01-01T00:00:00Z' });
    expect(await github.getIssue(REPO, issue.number)).toEqual({
      number: issue.number, title: 'Support Example', state: 'open', isPullRequest: false, htmlUrl: `https://github.com/Acme/Widgets/issues/${issue.number}`,
      author: 'reporter', createdAt: '2026-01-01T00:00:00Z', closedAt: null,
    });
    const pr = stub.addPullRequest('acme', 'widgets', { title: 'Add Example', author: 'helper' });
    expect(await github.getIssue(REPO, pr.number)).toMatchObject({ isPullRequest: true });
    expect(await github.getIssue(REPO, 999)).toBeNull();
  });

  it('comments: posted as the token user with its association, listed oldest first per issue and newest first per repository', async () => {
    const pr = stub.addPullRequest('acme', 'widgets', { title: 'Add thing', author: 'agentpr-bot', createdAt: '2026-02-01T00:00:00Z' });
    stub.addCollaborator('acme', 'widgets', 'maint', 'MEMBER');
    stub.addComment('acme', 'widgets', pr.number, { body: 'Looks fine', author: 'maint', createdAt: '2026-02-02T00:00:00Z' });
    const posted = await github.createIssueComment(REPO, pr.number, 'Friendly follow-up');
    expect(posted).toMatchObject({ body: 'Friendly follow-up', author: 'agentpr-bot', authorAssociation: 'NONE', createdAt: '2026-03-10T12:00:00.000Z' });
    const comments = await github.listIssueComments(REPO, pr.number);
    expect(comments.map((c) => [c.author, c.authorAssociation])).toEqual([
      ['maint', 'MEMBER'],
      ['agentpr-bot', 'NONE'],
    ]);
    expect(await github.listIssueComments(REPO, pr.number, { since: '2026-03-01T00:00:00Z' })).toHaveLength(1);
    expect((await github.listRepoIssueComments(REPO, { limit: 1 })).map((c) => c.body)).toEqual(['Friendly follow-up']);
    expect(stub.requests.find((r) => r.path === '/repos/Acme/Widgets/issues/comments')?.query).toMatchObject({ sort: 'created', direction: 'desc' });
  });

  it('listPullRequests lists by state newest first with merged and closed dates', async () => {
    stub.addRepo('acme', 'prs');
    stub.addPullRequest('acme', 'prs', { title: 'old merged', merged: true, createdAt: '2025-01-01T00:00:00Z', mergedAt: '2025-01-03T00:00:00Z' });
    stub.addPullRequest('acme', 'prs', { title: 'closed', state: 'closed', createdAt: '2025-02-01T00:00:00Z', closedAt: '2025-02-02T00:00:00Z' });
    stub.addPullRequest('acme', 'prs', { title: 'open', createdAt: '2025-03-01T00:00:00Z', headRef: 'feature' });
    expect(await github.listPullRequests({ owner: 'acme', repo: 'prs' })).toMatchObject([{ title: 'open', state: 'open', headRef: 'feature', mergedAt: null }]);
    const closed = await github.listPullRequests({ owner: 'acme', repo: 'prs' }, { state: 'closed' });
    expect(closed.map((p) => [p.title, p.closedAt, p.mergedAt])).toEqual([
      ['closed', '2025-02-02T00:00:00Z', null],
      ['old merged', '2025-01-03T00:00:00Z', '2025-01-03T00:00:00Z'],
    ]);
    expect(await github.listPullRequests({ owner: 'acme', repo: 'prs' }, { state: 'all', limit: 2 })).toHaveLength(2);
  });

  it('searchIssues passes the query as given and maps PRs, issues and merged', async () => {
    stub.addRepo('acme', 'search');
    stub.addPullRequest('acme', 'search', { title: 'Add Example integration', merged: true, mergedAt: '2026-01-02T00:00:00Z', createdAt: '2026-01-01T00:00:00Z' });
    stub.addIssue('acme', 'search', { title: 'Example integration?', state: 'closed', createdAt: '2025-12-01T00:00:00Z', closedAt: '2025-12-02T00:00:00Z' });
    const result = await github.searchIssues('repo:acme/search "example integration" in:title', { perPage: 500 });
    expect(result.totalCount).toBe(2);
    expect(result.items.map((i) => [i.number, i.isPullRequest, i.merged, i.state])).toEqual([
      [1, true, true, 'closed'],
      [2, false, false, 'closed'],
    ]);
    expect(stub.requests.at(-1)?.query).toEqual({ q: 'repo:acme/search "example integration" in:title', per_page: '100' });
  });
});

describe('the OpenAPI check', () => {
  it('the PR-gate and sync methods also send only described requests', async () => {
    const sha = 'f'.repeat(40);
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'agentpr/x', sha });
    const input = { ...REPO, title: 'Add x', body: 'Body', head: 'agentpr/x', headOwner: 'forker', draft: true };
    const { pullRequest } = await github.createPullRequest(input);
    expect((await github.createPullRequest(input)).alreadyExists).toBe(true);
    expect(await github.getDefaultBranch(REPO)).toBe('trunk');
    expect(await github.getPullRequest(REPO, pullRequest.number)).toMatchObject({ headSha: sha, draft: true });
    stub.addCheckRun('acme', 'widgets', sha, { name: 'ci' });
    stub.addStatus('acme', 'widgets', sha, { context: 'lint', state: 'success' });
    stub.addReview('acme', 'widgets', pullRequest.number, { state: 'APPROVED' });
    stub.addReviewComment('acme', 'widgets', pullRequest.number, { path: 'a.ts', line: 1, body: 'ok' });
    expect(await github.listChecksForRef(REPO, sha)).toHaveLength(2);
    expect(await github.listCheckRunDetails(REPO, sha)).toHaveLength(1);
    expect(await github.listReviews(REPO, pullRequest.number)).toHaveLength(1);
    expect(await github.listReviewComments(REPO, pullRequest.number)).toHaveLength(1);
    expect(await github.closePullRequest(REPO, pullRequest.number)).toMatchObject({ state: 'closed' });
  });

  it('every request the client made, for every method of the port, satisfied GitHub\'s OpenAPI description', () => {
    expect(stub.requests.length).toBeGreaterThan(30);
    expect(stub.openApiViolations).toEqual([]);
  });
});
