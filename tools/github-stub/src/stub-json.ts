import type { StubState } from './stub-state.js';
import type { StubCommit, StubIssue, StubIssueComment, StubPullRequest, StubRepo } from './stub-types.js';

/** A user object as the REST API nests it. */
export const userJson = (login: string) => ({ login, id: 1, type: login.endsWith('[bot]') ? 'Bot' : 'User' });

/** `GET /repos/{o}/{r}`. */
export function repoJson(s: StubState, r: StubRepo) {
  return {
    id: 1,
    name: r.repo,
    full_name: `${r.owner}/${r.repo}`,
    owner: userJson(r.owner),
    private: false,
    html_url: `${s.htmlBase}/${r.owner}/${r.repo}`,
    url: `${s.url}/repos/${r.owner}/${r.repo}`,
    default_branch: r.defaultBranch,
    archived: r.archived,
    disabled: false,
    fork: r.fork,
    pushed_at: r.pushedAt ?? s.commitsOf(r.owner, r.repo, r.defaultBranch)[0]?.date ?? null,
  };
}

/** A PR as `GET /repos/{o}/{r}/pulls/{n}` reports it. */
export function pullJson(s: StubState, p: StubPullRequest) {
  return {
    id: p.number * 10 + 7,
    number: p.number,
    html_url: `${s.htmlBase}/${p.owner}/${p.repo}/pull/${p.number}`,
    url: `${s.url}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
    state: p.state,
    title: p.title,
    body: p.body,
    draft: p.draft,
    merged: p.merged,
    merged_at: p.merged ? (p.mergedAt ?? p.closedAt ?? p.createdAt) : null,
    closed_at: p.closedAt,
    created_at: p.createdAt,
    updated_at: p.closedAt ?? p.createdAt,
    user: userJson(p.author),
    head: { label: p.head, ref: p.headRef, sha: p.headSha, user: { login: p.headOwner }, repo: { name: p.repo, owner: { login: p.headOwner } } },
    base: { label: `${p.owner}:${p.base}`, ref: p.base, repo: { name: p.repo, owner: { login: p.owner } } },
  };
}

/** An issue (or a PR seen as an issue, with `pull_request`), as the issues and search APIs report it. */
export function issueJson(s: StubState, item: StubIssue | StubPullRequest) {
  const isPull = 'headRef' in item;
  const kind = isPull ? 'pull' : 'issues';
  const comments = (s.comments.get(`${item.owner.toLowerCase()}/${item.repo.toLowerCase()}`) ?? []).filter((c) => c.issueNumber === item.number);
  return {
    id: item.number * 10 + (isPull ? 7 : 3),
    number: item.number,
    title: item.title,
    body: item.body,
    state: item.state,
    html_url: `${s.htmlBase}/${item.owner}/${item.repo}/${kind}/${item.number}`,
    url: `${s.url}/repos/${item.owner}/${item.repo}/issues/${item.number}`,
    user: userJson(item.author),
    author_association: s.associationOf(item.owner, item.repo, item.author),
    labels: (isPull ? [] : item.labels).map((name) => ({ name })),
    comments: comments.length,
    created_at: item.createdAt,
    updated_at: latest(item.createdAt, item.closedAt, ...comments.map((c) => c.createdAt)),
    closed_at: item.closedAt,
    ...(isPull
      ? { pull_request: { url: `${s.url}/repos/${item.owner}/${item.repo}/pulls/${item.number}`, html_url: `${s.htmlBase}/${item.owner}/${item.repo}/pull/${item.number}`, merged_at: item.merged ? (item.mergedAt ?? item.closedAt) : null } }
      : {}),
  };
}

/** A conversation comment. */
export function commentJson(s: StubState, c: StubIssueComment) {
  const kind = s.findPull(c.owner, c.repo, c.issueNumber) ? 'pull' : 'issues';
  return {
    id: c.id,
    body: c.body,
    user: userJson(c.author),
    author_association: c.authorAssociation,
    created_at: c.createdAt,
    updated_at: c.createdAt,
    html_url: `${s.htmlBase}/${c.owner}/${c.repo}/${kind}/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${s.url}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
    url: `${s.url}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
  };
}

/** A commit as `GET /repos/{o}/{r}/commits` lists it. */
export function commitJson(s: StubState, owner: string, repo: string, c: StubCommit) {
  const person = { name: c.author ?? 'someone', email: 'someone@example.invalid', date: c.date };
  return {
    sha: c.sha,
    html_url: `${s.htmlBase}/${owner}/${repo}/commit/${c.sha}`,
    commit: { message: c.message, author: person, committer: person },
    author: c.author ? userJson(c.author) : null,
    committer: c.author ? userJson(c.author) : null,
  };
}

/** The latest of some ISO 8601 times (nulls ignored). */
export function latest(...times: Array<string | null>): string {
  return times.filter((t): t is string => !!t).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}
