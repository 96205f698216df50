import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '../github-stub.js';

let stub: GitHubStub;
let clock = new Date('2026-03-10T12:00:00Z');
beforeEach(async () => {
  clock = new Date('2026-03-10T12:00:00Z');
  stub = await startGitHubStub({ token: 't', login: 'bot', now: () => clock });
  stub.addRepo('Acme', 'Widgets');
});
afterEach(async () => {
  // Every request these tests send is one GitHub describes: the stub's own routes are checked too.
  expect(stub.openApiViolations).toEqual([]);
  await stub.close();
});

const api = (path: string, init: RequestInit = {}) => fetch(`${stub.url}${path}`, { ...init, headers: { authorization: 'token t', 'content-type': 'application/json', ...(init.headers ?? {}) } });
const json = async (path: string, init: RequestInit = {}) => {
  const res = await api(path, init);
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
};
const post = (path: string, body: unknown) => json(path, { method: 'POST', body: JSON.stringify(body) });

describe('the repository routes', () => {
  it('GET /repos/{o}/{r} reports archived, fork, pushed_at (the newest default-branch commit when not set) and the default branch', async () => {
    stub.addCommit('acme', 'widgets', { date: '2025-01-02T03:04:05Z' });
    expect((await json('/repos/acme/widgets')).body).toMatchObject({ archived: false, fork: false, pushed_at: '2025-01-02T03:04:05Z', default_branch: 'main' });
    stub.updateRepo('acme', 'widgets', { archived: true, pushedAt: '2026-01-01T00:00:00Z' });
    expect((await json('/repos/acme/widgets')).body).toMatchObject({ archived: true, pushed_at: '2026-01-01T00:00:00Z' });
  });

  it('the contents API answers files in base64, directories as listings, symlinks and submodules as such, and 404 for nothing', async () => {
    stub.addFile('acme', 'widgets', 'docs/CONTRIBUTING.md', '# Contributing\nBe kind.\n');
    stub.addFile('acme', 'widgets', '.github/pull_request_template.md', 'Describe it');
    stub.addSymlink('acme', 'widgets', 'CONTRIBUTING.md', 'docs/CONTRIBUTING.md');
    stub.addSymlink('acme', 'widgets', 'AGENTS.md', '../../etc/passwd');
    stub.addSubmodule('acme', 'widgets', 'vendor/lib', 'https://github.com/x/lib.git');
    const file = await json('/repos/acme/widgets/contents/docs%2FCONTRIBUTING.md');
    expect(file.body).toMatchObject({ type: 'file', encoding: 'base64', path: 'docs/CONTRIBUTING.md', size: 24 });
    expect(Buffer.from(file.body.content, 'base64').toString('utf8')).toBe('# Contributing\nBe kind.\n');
    expect(file.body.sha).toMatch(/^[0-9a-f]{40}$/);
    // As on GitHub: a symlink to a file inside the repository answers with the target file (and the target's path).
    expect((await json('/repos/acme/widgets/contents/CONTRIBUTING.md')).body).toMatchObject({ type: 'file', path: 'docs/CONTRIBUTING.md' });
    expect((await json('/repos/acme/widgets/contents/AGENTS.md')).body).toMatchObject({ type: 'symlink', target: '../../etc/passwd', path: 'AGENTS.md' });
    expect((await json('/repos/acme/widgets/contents/vendor/lib')).body).toMatchObject({ type: 'submodule', submodule_git_url: 'https://github.com/x/lib.git' });
    const root = await json('/repos/acme/widgets/contents');
    expect(root.body.map((e: any) => [e.name, e.type])).toEqual([
      ['.github', 'dir'],
      ['AGENTS.md', 'symlink'],
      ['CONTRIBUTING.md', 'symlink'],
      ['docs', 'dir'],
      ['vendor', 'dir'],
    ]);
    expect((await json('/repos/acme/widgets/contents/.github')).body).toMatchObject([{ name: 'pull_request_template.md', type: 'file', path: '.github/pull_request_template.md' }]);
    expect((await api('/repos/acme/widgets/contents/nothing.md')).status).toBe(404);
    expect((await api('/repos/acme/widgets/contents/docs/CONTRIBUTING.md?ref=other')).status).toBe(404);
    stub.addFile('acme', 'widgets', 'docs/CONTRIBUTING.md', 'old', { ref: 'v1' });
    expect(Buffer.from((await json('/repos/acme/widgets/contents/docs/CONTRIBUTING.md?ref=v1')).body.content, 'base64').toString()).toBe('old');
  });

  it('branches list the default branch, pushed same-repository heads and added branches; commits list newest first with since', async () => {
    stub.addBranch('acme', 'widgets', 'feature/x', 'c'.repeat(40));
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'Acme', branch: 'fix', sha: 'd'.repeat(40) });
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'elsewhere', sha: 'e'.repeat(40) });
    stub.addCommit('acme', 'widgets', { date: '2025-01-01T00:00:00Z', sha: '1'.repeat(40), author: 'alice' });
    stub.addCommit('acme', 'widgets', { date: '2025-06-01T00:00:00Z', sha: '2'.repeat(40), author: 'bob' });
    const branches = (await json('/repos/acme/widgets/branches?per_page=100')).body;
    expect(branches.map((b: any) => [b.name, b.commit.sha])).toEqual([
      ['feature/x', 'c'.repeat(40)],
      ['fix', 'd'.repeat(40)],
      ['main', '2'.repeat(40)],
    ]);
    const commits = (await json('/repos/acme/widgets/commits?per_page=1')).body;
    expect(commits).toMatchObject([{ sha: '2'.repeat(40), author: { login: 'bob' }, commit: { committer: { date: '2025-06-01T00:00:00Z' } } }]);
    expect((await json('/repos/acme/widgets/commits?since=2025-07-01T00:00:00Z')).body).toEqual([]);
  });
});

describe('issues, comments and PRs', () => {
  it('issues and PRs share one number sequence; an issue comment gets the author association from the seeded author or the token user', async () => {
    const issue = stub.addIssue('acme', 'widgets', { title: 'Crash', author: 'reporter', createdAt: '2026-01-01T00:00:00Z' });
    const pr = stub.addPullRequest('acme', 'widgets', { title: 'Fix crash', author: 'helper' });
    expect([issue.number, pr.number]).toEqual([1, 2]);
    stub.addCollaborator('acme', 'widgets', 'maint');
    stub.addComment('acme', 'widgets', 2, { body: 'Thanks!', author: 'maint', createdAt: '2026-03-01T00:00:00Z' });
    stub.addComment('acme', 'widgets', 2, { body: 'Mine', author: 'acme', createdAt: '2026-03-02T00:00:00Z' });
    const created = await post('/repos/acme/widgets/issues/2/comments', { body: 'A polite follow-up' });
    expect(created).toMatchObject({ status: 201, body: { body: 'A polite follow-up', user: { login: 'bot' }, author_association: 'NONE', created_at: clock.toISOString() } });
    expect(created.body.html_url).toMatch(/\/Acme\/Widgets\/pull\/2#issuecomment-\d+$/);
    const list = (await json('/repos/acme/widgets/issues/2/comments')).body;
    expect(list.map((c: any) => [c.user.login, c.author_association])).toEqual([
      ['maint', 'COLLABORATOR'],
      ['acme', 'OWNER'],
      ['bot', 'NONE'],
    ]);
    expect((await json('/repos/acme/widgets/issues/2/comments?since=2026-03-02T00:00:00Z')).body).toHaveLength(2);
    const recent = (await json('/repos/acme/widgets/issues/comments?sort=created&direction=desc&per_page=1')).body;
    expect(recent).toMatchObject([{ body: 'A polite follow-up' }]);
    expect((await json('/repos/acme/widgets/issues/1')).body).toMatchObject({ number: 1, state: 'open', user: { login: 'reporter' } });
    expect((await json('/repos/acme/widgets/issues/2')).body).toMatchObject({ number: 2, pull_request: { merged_at: null } });
    expect((await api('/repos/acme/widgets/issues/9')).status).toBe(404);
    expect((await post('/repos/acme/widgets/issues/1/comments', { body: '' })).status).toBe(422);
  });

  it('closing a PR (PATCH or the JS API) stamps closed_at with the stub clock, merging stamps merged_at, and lists sort newest first', async () => {
    const first = stub.addPullRequest('acme', 'widgets', { title: 'one', createdAt: '2026-01-01T00:00:00Z' });
    stub.addPullRequest('acme', 'widgets', { title: 'two', createdAt: '2026-02-01T00:00:00Z' });
    const closed = await json(`/repos/acme/widgets/pulls/${first.number}`, { method: 'PATCH', body: JSON.stringify({ state: 'closed' }) });
    expect(closed.body).toMatchObject({ state: 'closed', merged: false, closed_at: clock.toISOString(), merged_at: null });
    clock = new Date('2026-03-11T00:00:00Z');
    stub.merge('acme', 'widgets', 2);
    expect((await json('/repos/acme/widgets/pulls/2')).body).toMatchObject({ merged: true, merged_at: '2026-03-11T00:00:00.000Z', closed_at: '2026-03-11T00:00:00.000Z' });
    expect((await json('/repos/acme/widgets/pulls?state=all')).body.map((p: any) => p.title)).toEqual(['two', 'one']);
    expect((await json('/repos/acme/widgets/pulls?state=all&direction=asc')).body.map((p: any) => p.title)).toEqual(['one', 'two']);
  });
});

describe('GET /search/issues', () => {
  it('finds issues and PRs by repo, kind, state, words, phrases and dates, and refuses a query GitHub would refuse', async () => {
    stub.addPullRequest('acme', 'widgets', { title: 'Add Example integration', body: 'Adds the example provider', createdAt: '2026-01-05T00:00:00Z' });
    stub.addIssue('acme', 'widgets', { title: 'Example integration wanted', state: 'closed', createdAt: '2025-01-01T00:00:00Z', closedAt: '2025-02-01T00:00:00Z' });
    stub.addRepo('other', 'repo');
    stub.addPullRequest('other', 'repo', { title: 'Add Example integration' });
    const search = async (q: string) => (await json(`/search/issues?q=${encodeURIComponent(q)}`)).body;
    expect((await search('repo:acme/widgets "example integration"')).total_count).toBe(2);
    expect((await search('repo:acme/widgets is:pr is:open example')).items).toMatchObject([{ number: 1, pull_request: { merged_at: null } }]);
    expect((await search('repo:acme/widgets is:issue closed:>2025-01-15')).items).toMatchObject([{ number: 2, state: 'closed' }]);
    expect((await search('repo:acme/widgets is:issue closed:>2025-06-01')).total_count).toBe(0);
    expect((await search('"example integration" in:title')).total_count).toBe(3);
    const refused = await json(`/search/issues?q=${encodeURIComponent('x'.repeat(300))}`);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('longer than 256 characters');
  });

  it('answers 403 with the rate-limit headers once the search rate limit is spent, and serves again after the window', async () => {
    stub.setSearchRateLimit({ limit: 2, windowMs: 60_000 });
    const first = await api('/search/issues?q=repo%3Aacme%2Fwidgets');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect((await api('/search/issues?q=repo%3Aacme%2Fwidgets')).status).toBe(200);
    const limited = await api('/search/issues?q=repo%3Aacme%2Fwidgets');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toMatch(/rate limit exceeded/i);
    stub.setSearchRateLimit({ limit: 2, windowMs: 60_000 });
    expect((await api('/search/issues?q=repo%3Aacme%2Fwidgets')).status).toBe(200);
  });
});

describe('the /_stub/* seeding routes', () => {
  it('seed repositories, files, issues, PRs, comments, collaborators and commits over HTTP', async () => {
    await post('/_stub/repos', { owner: 'o', repo: 'r', default_branch: 'trunk', archived: true });
    await post('/_stub/o/r/contents', { path: 'AGENTS.md', content: 'No AI' });
    await post('/_stub/o/r/contents', { path: 'link.md', symlink_target: 'AGENTS.md' });
    await post('/_stub/o/r/issues', { title: 'Issue', author: 'x', created_at: '2026-01-01T00:00:00Z' });
    await post('/_stub/o/r/pulls', { title: 'PR', author: 'y', merged: true, merged_at: '2026-02-01T00:00:00Z' });
    await post('/_stub/o/r/collaborators', { login: 'm', association: 'MEMBER' });
    await post('/_stub/o/r/issues/2/comments', { body: 'Merged, thanks', author: 'm' });
    await post('/_stub/o/r/commits', { date: '2026-02-01T00:00:00Z', author: 'm' });
    await post('/_stub/o/r/branches', { name: 'dev' });
    await post('/_stub/o/r/issues/1/close', { closed_at: '2026-03-01T00:00:00Z' });
    await post('/_stub/o/r/repo', { archived: false });
    expect((await json('/repos/o/r')).body).toMatchObject({ default_branch: 'trunk', archived: false, pushed_at: '2026-02-01T00:00:00Z' });
    expect(Buffer.from((await json('/repos/o/r/contents/AGENTS.md')).body.content, 'base64').toString()).toBe('No AI');
    expect((await json('/repos/o/r/issues/1')).body).toMatchObject({ state: 'closed', closed_at: '2026-03-01T00:00:00Z' });
    expect((await json('/repos/o/r/pulls/2')).body).toMatchObject({ merged: true, merged_at: '2026-02-01T00:00:00Z' });
    expect((await json('/repos/o/r/issues/2/comments')).body).toMatchObject([{ author_association: 'MEMBER' }]);
    expect((await json('/repos/o/r/branches')).body.map((b: any) => b.name)).toEqual(['dev', 'trunk']);
    await post('/_stub/search-rate-limit', { limit: 0 });
    expect((await api('/search/issues?q=is%3Apr')).status).toBe(403);
    await post('/_stub/now', { now: '2030-01-01T00:00:00Z' });
    expect((await post('/repos/o/r/issues/1/comments', { body: 'hi' })).body.created_at).toBe('2030-01-01T00:00:00.000Z');
  });
});
