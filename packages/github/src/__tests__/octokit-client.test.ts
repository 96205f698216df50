import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { createOctokitClient } from '../octokit-client.js';
import { GitHubError } from '../errors.js';

const TOKEN = 'ghp_stubtoken0000000000000000000000000000';
const SHA = 'a'.repeat(40);
let stub: GitHubStub;

beforeAll(async () => {
  stub = await startGitHubStub({ token: TOKEN });
  stub.addRepo('Acme', 'Widgets', { defaultBranch: 'trunk' });
  stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'agentpr/feature', sha: SHA });
});
afterAll(() => stub.close());

const client = (token = TOKEN) => createOctokitClient({ token, baseUrl: stub.url, retries: 2, retryBaseMs: 1 });

describe('createOctokitClient against the GitHub stub', () => {
  it('getDefaultBranch reads the repository, matching owner and repo case-insensitively', async () => {
    expect(await client().getDefaultBranch({ owner: 'ACME', repo: 'widgets' })).toBe('trunk');
  });

  it('createPullRequest opens a fork PR from <owner>:<branch> into the default branch, as a draft when asked', async () => {
    const { pullRequest, alreadyExists } = await client().createPullRequest({
      owner: 'Acme',
      repo: 'Widgets',
      title: 'Add widgets',
      body: 'Body',
      head: 'agentpr/feature',
      headOwner: 'forker',
      draft: true,
    });
    expect(alreadyExists).toBe(false);
    expect(pullRequest).toMatchObject({ number: 1, state: 'open', merged: false, draft: true, headSha: SHA, headRef: 'agentpr/feature', headOwner: 'forker', baseRef: 'trunk' });
    expect(pullRequest.url).toBe('https://github.com/Acme/Widgets/pull/1');
    const created = stub.requests.find((r) => r.method === 'POST' && r.path === '/repos/Acme/Widgets/pulls');
    expect(created?.body).toMatchObject({ head: 'forker:agentpr/feature', base: 'trunk', draft: true });
  });

  it('createPullRequest for a head that already has an open PR returns that PR', async () => {
    const { pullRequest, alreadyExists } = await client().createPullRequest({ owner: 'acme', repo: 'widgets', title: 't', body: 'b', head: 'agentpr/feature', headOwner: 'forker', base: 'trunk' });
    expect(alreadyExists).toBe(true);
    expect(pullRequest.number).toBe(1);
  });

  it('getPullRequest reports merged after a merge', async () => {
    stub.merge('acme', 'widgets', 1);
    expect(await client().getPullRequest({ owner: 'acme', repo: 'widgets' }, 1)).toMatchObject({ state: 'closed', merged: true });
  });

  it('listChecksForRef returns check runs (with in-progress ones) and the latest status per context', async () => {
    const sha = 'b'.repeat(40);
    stub.addCheckRun('acme', 'widgets', sha, { name: 'build', conclusion: 'success' });
    stub.addCheckRun('acme', 'widgets', sha, { name: 'test', status: 'in_progress' });
    stub.addStatus('acme', 'widgets', sha, { context: 'ci/legacy', state: 'pending' });
    stub.addStatus('acme', 'widgets', sha, { context: 'ci/legacy', state: 'success' });
    const items = await client().listChecksForRef({ owner: 'acme', repo: 'widgets' }, sha);
    expect(items).toEqual([
      { kind: 'check_run', name: 'build', status: 'completed', conclusion: 'success' },
      { kind: 'check_run', name: 'test', status: 'in_progress', conclusion: null },
      { kind: 'status', context: 'ci/legacy', state: 'success' },
    ]);
  });

  it('listChecksForRef follows pagination', async () => {
    const sha = 'c'.repeat(40);
    for (let i = 0; i < 130; i++) stub.addCheckRun('acme', 'widgets', sha, { name: `job-${i}` });
    expect(await client().listChecksForRef({ owner: 'acme', repo: 'widgets' }, sha)).toHaveLength(130);
  });

  it('listReviews returns lower-cased states oldest first', async () => {
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'second', sha: SHA });
    const { pullRequest } = await client().createPullRequest({ owner: 'acme', repo: 'widgets', title: 't', body: 'b', head: 'second', headOwner: 'forker' });
    const first = stub.addReview('acme', 'widgets', pullRequest.number, { state: 'CHANGES_REQUESTED' });
    stub.addReview('acme', 'widgets', pullRequest.number, { state: 'APPROVED' });
    const reviews = await client().listReviews({ owner: 'acme', repo: 'widgets' }, pullRequest.number);
    expect(reviews.map((r) => [r.id, r.state, r.commitId])).toEqual([
      [first.id, 'changes_requested', SHA],
      [first.id + 1, 'approved', SHA],
    ]);
  });

  it('listCheckRunDetails and listReviewComments give what a CI-fix or review round needs to read', async () => {
    const sha = 'd'.repeat(40);
    stub.addCheckRun('acme', 'widgets', sha, { name: 'unit', conclusion: 'failure', output: { title: '1 test failed', summary: 'strings.test.js', text: 'not ok 3 - titleCase' } });
    const details = await client().listCheckRunDetails!({ owner: 'acme', repo: 'widgets' }, sha);
    expect(details).toEqual([expect.objectContaining({ name: 'unit', status: 'completed', conclusion: 'failure', output: { title: '1 test failed', summary: 'strings.test.js', text: 'not ok 3 - titleCase' } })]);
    stub.setBranchHead({ owner: 'acme', repo: 'widgets', headOwner: 'forker', branch: 'third', sha: SHA });
    const { pullRequest } = await client().createPullRequest({ owner: 'acme', repo: 'widgets', title: 't', body: 'b', head: 'third', headOwner: 'forker' });
    stub.addReview('acme', 'widgets', pullRequest.number, { state: 'CHANGES_REQUESTED', body: 'Please add a test.' });
    const first = stub.addReviewComment('acme', 'widgets', pullRequest.number, { path: 'src/a.js', line: 3, body: 'Rename this.' });
    stub.addReviewComment('acme', 'widgets', pullRequest.number, { path: 'src/a.js', line: 3, body: 'Agreed.', inReplyTo: first.id });
    const reviews = await client().listReviews({ owner: 'acme', repo: 'widgets' }, pullRequest.number);
    expect(reviews[0]).toMatchObject({ state: 'changes_requested', body: 'Please add a test.', author: 'reviewer' });
    const comments = await client().listReviewComments!({ owner: 'acme', repo: 'widgets' }, pullRequest.number);
    expect(comments.map((c) => [c.path, c.line, c.body, c.inReplyTo])).toEqual([
      ['src/a.js', 3, 'Rename this.', null],
      ['src/a.js', 3, 'Agreed.', first.id],
    ]);
  });

  it('a rejected token fails with unauthorized and a hint, without the token in the message', async () => {
    const error = await client('ghp_wrongwrongwrong').getDefaultBranch({ owner: 'acme', repo: 'widgets' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((error as Error).message).toContain('GITHUB_TOKEN');
    expect((error as Error).message).not.toContain('ghp_wrong');
  });

  it('a 502 is retried and then succeeds', async () => {
    stub.failNext({ method: 'GET', path: /^\/repos\/acme\/widgets$/i, status: 502, times: 2 });
    const before = stub.requests.length;
    expect(await client().getDefaultBranch({ owner: 'acme', repo: 'widgets' })).toBe('trunk');
    expect(stub.requests.length - before).toBe(3);
  });

  it('an unknown repository fails with not_found', async () => {
    await expect(client().getPullRequest({ owner: 'nobody', repo: 'nothing' }, 1)).rejects.toMatchObject({ code: 'not_found', status: 404 });
  });

  it('an unreachable API fails with network and names the API URL setting', async () => {
    const dead = createOctokitClient({ token: TOKEN, baseUrl: 'http://127.0.0.1:1', retries: 0 });
    await expect(dead.getDefaultBranch({ owner: 'a', repo: 'b' })).rejects.toMatchObject({ code: 'network', message: expect.stringContaining('GITHUB_API_URL') });
  });
});
