import { describe, expect, it } from 'vitest';
import { createOpenApiCheck } from './openapi-check.js';

const check = createOpenApiCheck();
const call = (method: string, path: string, query = '', body?: unknown) => check({ method, path, query: new URLSearchParams(query), body });

describe('createOpenApiCheck (the vendored subset of GitHub\'s OpenAPI description)', () => {
  it('accepts the requests agentpr\'s client sends', () => {
    expect(call('GET', '/repos/acme/widgets')).toBeUndefined();
    expect(call('GET', '/repos/acme/widgets/pulls', 'state=all&per_page=100&sort=created&direction=desc&page=2')).toBeUndefined();
    expect(call('POST', '/repos/acme/widgets/pulls', '', { title: 't', head: 'me:b', base: 'main', body: 'x', draft: false })).toBeUndefined();
    expect(call('PATCH', '/repos/acme/widgets/pulls/3', '', { state: 'closed' })).toBeUndefined();
    expect(call('GET', '/repos/acme/widgets/contents/docs%2FCONTRIBUTING.md', 'ref=main')).toBeUndefined();
    expect(call('GET', '/repos/acme/widgets/contents/.github/ISSUE_TEMPLATE')).toBeUndefined();
    expect(call('GET', '/repos/acme/widgets/contents')).toBeUndefined();
    expect(call('GET', '/repos/acme/widgets/issues/comments', 'sort=created&direction=desc&since=2026-01-01T00:00:00Z')).toBeUndefined();
    expect(call('POST', '/repos/acme/widgets/issues/4/comments', '', { body: 'hi' })).toBeUndefined();
    expect(call('GET', '/search/issues', 'q=repo%3Aa%2Fb+is%3Apr&per_page=100')).toBeUndefined();
  });

  it('names what is wrong: an undescribed path or method, an unknown or ill-typed query parameter, a missing one, a bad body', () => {
    expect(call('GET', '/repos/acme/widgets/nothing')).toMatch(/not an operation GitHub's description has/);
    expect(call('DELETE', '/repos/acme/widgets/pulls/3')).toMatch(/DELETE is not an operation on \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}/);
    expect(call('GET', '/repos/acme/widgets/pulls', 'colour=blue')).toMatch(/query parameter "colour" is not described/);
    expect(call('GET', '/repos/acme/widgets/pulls', 'per_page=lots')).toMatch(/per_page must be integer/);
    expect(call('GET', '/repos/acme/widgets/pulls', 'state=merged')).toMatch(/state must be equal to one of the allowed values/);
    expect(call('GET', '/repos/acme/widgets/pulls/abc')).toMatch(/pull_number must be integer/);
    expect(call('GET', '/repos/acme/widgets/issues/comments', 'since=yesterday')).toMatch(/since must match format "date-time"/);
    expect(call('GET', '/search/issues')).toMatch(/must have required property 'q'/);
    expect(call('POST', '/repos/acme/widgets/issues/4/comments', '', { text: 'hi' })).toMatch(/body .*required property 'body'/);
    expect(call('PATCH', '/repos/acme/widgets/pulls/3', '', { state: 'gone' })).toMatch(/\/state must be equal to one of the allowed values/);
    expect(call('POST', '/repos/acme/widgets/pulls', '', { title: 7, head: 'me:b', base: 'main' })).toMatch(/\/title must be string/);
    expect(call('GET', '/repos/acme/widgets', '', { x: 1 })).toMatch(/takes no JSON body/);
  });
});
