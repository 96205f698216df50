import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGitHubStub, type GitHubStub } from '../github-stub.js';

let stub: GitHubStub;
beforeEach(async () => {
  stub = await startGitHubStub({ token: 't' });
});
afterEach(() => stub.close());

const api = (path: string, init: RequestInit = {}) => fetch(`${stub.url}${path}`, { ...init, headers: { authorization: 'token t', 'content-type': 'application/json', ...(init.headers ?? {}) } });

describe('startGitHubStub', () => {
  it('answers 401 without the token and 404 for an unknown repository', async () => {
    stub.addRepo('acme', 'widgets');
    expect((await fetch(`${stub.url}/repos/acme/widgets`)).status).toBe(401);
    expect((await api('/repos/acme/nothing')).status).toBe(404);
    expect(stub.requests.map((r) => r.authorized)).toEqual([false, true]);
  });

  it('state changes over /_stub/* HTTP routes are visible through the REST endpoints', async () => {
    await api('/_stub/repos', { method: 'POST', body: JSON.stringify({ owner: 'acme', repo: 'widgets', default_branch: 'trunk' }) });
    await api('/_stub/acme/widgets/branches', { method: 'POST', body: JSON.stringify({ head_owner: 'me', branch: 'f', sha: 'a'.repeat(40) }) });
    const created = await api('/repos/acme/widgets/pulls', { method: 'POST', body: JSON.stringify({ title: 't', head: 'me:f', base: 'trunk' }) });
    expect(created.status).toBe(201);
    const again = await api('/repos/acme/widgets/pulls', { method: 'POST', body: JSON.stringify({ title: 't', head: 'me:f', base: 'trunk' }) });
    expect(again.status).toBe(422);
    expect(JSON.stringify(await again.json())).toContain('already exists');
    await api(`/_stub/acme/widgets/commits/${'a'.repeat(40)}/check-runs`, { method: 'POST', body: JSON.stringify({ name: 'ci', status: 'in_progress' }) });
    await api('/_stub/acme/widgets/pulls/1/merge', { method: 'POST' });
    expect(await (await api(`/repos/acme/widgets/commits/${'a'.repeat(40)}/check-runs`)).json()).toMatchObject({ total_count: 1, check_runs: [{ name: 'ci', status: 'in_progress', conclusion: null }] });
    expect(await (await api('/repos/acme/widgets/pulls/1')).json()).toMatchObject({ state: 'closed', merged: true, head: { sha: 'a'.repeat(40) } });
  });

  it('answers a request that violates GitHub\'s OpenAPI description with 422 and records it', async () => {
    stub.addRepo('acme', 'widgets');
    const bad = await api('/repos/acme/widgets/pulls?state=merged');
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/state must be equal to one of the allowed values/);
    expect((await api('/repos/acme/widgets/pulls/1', { method: 'PATCH', body: JSON.stringify({ state: 7 }) })).status).toBe(422);
    expect((await api('/repos/acme/widgets/labels')).status).toBe(422);
    expect(stub.openApiViolations.map((v) => [v.method, v.path])).toEqual([
      ['GET', '/repos/acme/widgets/pulls'],
      ['PATCH', '/repos/acme/widgets/pulls/1'],
      ['GET', '/repos/acme/widgets/labels'],
    ]);
    expect(await (await api('/_stub/openapi-violations')).json()).toHaveLength(3);
  });

  it('failNext injects a fault for the matching requests only', async () => {
    stub.addRepo('acme', 'widgets');
    stub.failNext({ method: 'GET', path: /^\/repos\/acme\/widgets$/, status: 503, times: 1 });
    expect((await api('/repos/acme/widgets')).status).toBe(503);
    expect((await api('/repos/acme/widgets')).status).toBe(200);
  });
});
