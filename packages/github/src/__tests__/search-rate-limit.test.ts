import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { createOctokitClient, type OctokitClientOptions } from '../octokit-client.js';
import { GitHubError } from '../errors.js';

const TOKEN = 'ghp_stubtoken0000000000000000000000000000';
let stub: GitHubStub;
let warnings: string[];

beforeEach(async () => {
  stub = await startGitHubStub({ token: TOKEN });
  stub.addRepo('acme', 'widgets');
  stub.addIssue('acme', 'widgets', { title: 'Example integration' });
  warnings = [];
});
afterEach(() => stub.close());

const client = (over: Partial<OctokitClientOptions> = {}) => {
  const log = { warn: (m: string) => warnings.push(m) };
  return createOctokitClient({ token: TOKEN, baseUrl: stub.url, retries: 0, retryBaseMs: 1, throttle: false, log, ...over }).searchIssues!;
};
const searches = () => stub.requests.filter((r) => r.path === '/search/issues');
const Q = 'repo:acme/widgets example';

describe('searchIssues within the search rate limit', () => {
  it('keeps at most perWindow searches in any rolling window on the client side: the third of three waits for the window', async () => {
    const search = client({ searchRateLimit: { perWindow: 2, windowMs: 400 } });
    const started = Date.now();
    const results = await Promise.all([search(Q), search(Q), search(Q)]);
    expect(results.map((r) => r.totalCount)).toEqual([1, 1, 1]);
    const [, , third] = searches();
    expect(third!.at - started).toBeGreaterThanOrEqual(400);
    expect(searches().map((r) => r.status)).toEqual([200, 200, 200]);
    expect(warnings.filter((w) => w.includes('search slot'))).toEqual([expect.stringMatching(/waiting \d+ ms for a search slot \(at most 2 searches per 0\.4 s\)/)]);
  });

  it('when GitHub answers 403 with x-ratelimit-remaining 0, waits until x-ratelimit-reset and tries again', async () => {
    stub.setSearchRateLimit({ limit: 1, windowMs: 1000 });
    const search = client();
    await search(Q);
    const second = await search(Q);
    expect(second.totalCount).toBe(1);
    const [first, , retried] = searches();
    expect(searches().map((r) => r.status)).toEqual([200, 403, 200]);
    expect(retried!.at - first!.at).toBeGreaterThanOrEqual(1000);
    expect(warnings).toContainEqual(expect.stringMatching(/search rate limit is spent; waiting \d+ ms until it resets at \d\d:\d\d:\d\d UTC/));
  });

  it('when GitHub answers 429 with retry-after, waits that long and tries again', async () => {
    stub.failNext({ method: 'GET', path: /^\/search\/issues$/, status: 429, message: 'You have exceeded a secondary rate limit', headers: { 'retry-after': '0' } });
    expect((await client()(Q)).totalCount).toBe(1);
    expect(searches().map((r) => r.status)).toEqual([429, 200]);
  });

  it('fails with rate_limited, saying when the limit resets, instead of waiting longer than maxWaitMs', async () => {
    stub.setSearchRateLimit({ limit: 1, windowMs: 60_000 });
    const search = client({ searchRateLimit: { maxWaitMs: 500 } });
    await search(Q);
    const error = await search(Q).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 403 });
    expect((error as Error).message).toMatch(/search rate limit is spent; it resets at \d\d:\d\d:\d\d UTC \(in (59|60) s\)/);
    expect(searches().map((r) => r.status)).toEqual([200, 403]);
  });

  it('fails at once when the client-side window would make it wait longer than maxWaitMs', async () => {
    const search = client({ searchRateLimit: { perWindow: 1, windowMs: 60_000, maxWaitMs: 100 } });
    await search(Q);
    await expect(search(Q)).rejects.toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/1 searches per 60 s are spent; the next is allowed at/) });
    expect(searches()).toHaveLength(1);
  });

  it('with the throttling plugin on, GitHub\'s search rate limit still goes to the bounded wait, not the plugin\'s retry', async () => {
    stub.setSearchRateLimit({ limit: 1, windowMs: 60_000 });
    const search = client({ throttle: true, searchRateLimit: { maxWaitMs: 500 } });
    await search(Q);
    await expect(search(Q)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(searches().map((r) => r.status)).toEqual([200, 403]);
  });

  it('a query GitHub refuses fails with validation and is not retried', async () => {
    await expect(client()('x'.repeat(300))).rejects.toMatchObject({ code: 'validation', message: expect.stringContaining('longer than 256 characters') });
    expect(searches()).toHaveLength(1);
  });
});
