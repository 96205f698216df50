import { HttpError, paginate, validationFailed, type Route, type StubCall } from './http.js';
import { commentJson, issueJson } from './stub-json.js';
import { repoKey, type StubState } from './stub-state.js';
import type { StubIssueComment } from './stub-types.js';

const REPO = '/repos/([^/]+)/([^/]+)';

/** The issue or PR with that number (as an issue), or 404. */
function issueOrPull(s: StubState, owner: string, repo: string, number: number) {
  s.requireRepo(owner, repo);
  const found = s.findIssue(owner, repo, number) ?? s.findPull(owner, repo, number);
  if (!found) throw new HttpError(404, 'Not Found');
  return found;
}

const sinceFilter = (since: string | null) => (c: StubIssueComment) => !since || Date.parse(c.createdAt) >= Date.parse(since);

function listComments(s: StubState, call: StubCall, owner: string, repo: string, number: number) {
  const item = issueOrPull(s, owner, repo, number);
  const list = (s.comments.get(repoKey(owner, repo)) ?? []).filter((c) => c.issueNumber === item.number).filter(sinceFilter(call.query.get('since')));
  return paginate(s.url, call, list.map((c) => commentJson(s, c)));
}

function listRepoComments(s: StubState, call: StubCall, owner: string, repo: string) {
  s.requireRepo(owner, repo);
  const desc = call.query.get('direction') === 'desc';
  const list = (s.comments.get(repoKey(owner, repo)) ?? [])
    .filter(sinceFilter(call.query.get('since')))
    .sort((a, b) => (Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id) * (desc ? -1 : 1));
  return paginate(s.url, call, list.map((c) => commentJson(s, c)));
}

function createComment(s: StubState, call: StubCall, owner: string, repo: string, number: number) {
  const item = issueOrPull(s, owner, repo, number);
  const body = (call.body as { body?: unknown } | undefined)?.body;
  if (typeof body !== 'string' || body.trim() === '') throw validationFailed('IssueComment', 'missing_field', 'body');
  const r = s.requireRepo(owner, repo);
  const comment: StubIssueComment = {
    id: s.nextId(),
    owner: r.owner,
    repo: r.repo,
    issueNumber: item.number,
    body,
    author: s.login,
    authorAssociation: s.associationOf(r.owner, r.repo, s.login),
    createdAt: s.nowIso(),
  };
  const k = repoKey(owner, repo);
  s.comments.set(k, [...(s.comments.get(k) ?? []), comment]);
  return { status: 201, body: commentJson(s, comment) };
}

/** The issue routes: one issue (a PR answers as an issue), its conversation comments, and the repository's comments. */
export function issueRoutes(s: StubState): Route[] {
  return [
    { method: 'GET', pattern: new RegExp(`^${REPO}/issues/comments$`), handle: (c, [o, r]) => listRepoComments(s, c, o!, r!) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/issues/(\\d+)$`), handle: (_c, [o, r, n]) => ({ status: 200, body: issueJson(s, issueOrPull(s, o!, r!, Number(n))) }) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`), handle: (c, [o, r, n]) => listComments(s, c, o!, r!, Number(n)) },
    { method: 'POST', pattern: new RegExp(`^${REPO}/issues/(\\d+)/comments$`), handle: (c, [o, r, n]) => createComment(s, c, o!, r!, Number(n)) },
  ];
}
