import { paginate, validationFailed, type Route, type StubCall } from './http.js';
import { pullJson } from './stub-json.js';
import { repoKey, type StubState } from './stub-state.js';
import type { StubPullRequest, StubStatus } from './stub-types.js';

/** Reads a PR head from the local fork when the stub knows where it lives. */
export type LearnHead = (owner: string, repo: string, headOwner: string, branch: string) => Promise<void>;

const REPO = '/repos/([^/]+)/([^/]+)';

function listPulls(s: StubState, call: StubCall, owner: string, repo: string) {
  const r = s.requireRepo(owner, repo);
  const head = call.query.get('head');
  const state = call.query.get('state') ?? 'open';
  const list = (s.pulls.get(repoKey(r.owner, r.repo)) ?? []).filter(
    (p) => (state === 'all' || p.state === state) && (!head || p.head.toLowerCase() === head.toLowerCase()),
  );
  const sort = call.query.get('sort') ?? 'created';
  const direction = call.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
  const at = (p: StubPullRequest) => Date.parse(sort === 'updated' ? (p.closedAt ?? p.createdAt) : p.createdAt);
  // Equal times keep the creation order (number), newest first when descending.
  list.sort((a, b) => (at(a) - at(b) || a.number - b.number) * (direction === 'desc' ? -1 : 1));
  return paginate(s.url, call, list.map((p) => pullJson(s, p)));
}

async function createPull(s: StubState, learnHead: LearnHead, call: StubCall, owner: string, repo: string) {
  const r = s.requireRepo(owner, repo);
  const input = (call.body ?? {}) as Record<string, unknown>;
  const title = typeof input.title === 'string' ? input.title : '';
  const headInput = typeof input.head === 'string' ? input.head : '';
  const base = typeof input.base === 'string' ? input.base : '';
  if (!title || !headInput || !base) throw validationFailed('PullRequest', 'missing_field', !title ? 'title' : !headInput ? 'head' : 'base');
  const [headOwner, headRef] = headInput.includes(':') ? (headInput.split(':', 2) as [string, string]) : [r.owner, headInput];
  const head = `${headOwner}:${headRef}`;
  await learnHead(r.owner, r.repo, headOwner, headRef);
  const headSha = s.heads.get(`${repoKey(r.owner, r.repo)}|${head.toLowerCase()}`);
  if (!headSha) throw validationFailed('PullRequest', 'invalid', 'head');
  const list = s.pulls.get(repoKey(r.owner, r.repo)) ?? [];
  if (list.some((p) => p.state === 'open' && p.head.toLowerCase() === head.toLowerCase() && p.base === base)) {
    throw validationFailed('PullRequest', 'custom', 'head', `A pull request already exists for ${head}.`);
  }
  const pr: StubPullRequest = {
    number: s.nextNumber(r.owner, r.repo),
    owner: r.owner,
    repo: r.repo,
    title,
    body: typeof input.body === 'string' ? input.body : '',
    head,
    headOwner,
    headRef,
    headSha,
    base,
    draft: input.draft === true,
    state: 'open',
    merged: false,
    createdAt: s.nowIso(),
    author: headOwner,
    closedAt: null,
    mergedAt: null,
  };
  s.pulls.set(repoKey(r.owner, r.repo), [...list, pr]);
  return { status: 201, body: pullJson(s, pr) };
}

function updatePull(s: StubState, call: StubCall, owner: string, repo: string, number: string) {
  const pr = s.requirePull(owner, repo, Number(number));
  const input = (call.body ?? {}) as Record<string, unknown>;
  if (input.state === 'closed' && !pr.merged && pr.state === 'open') {
    pr.state = 'closed';
    pr.closedAt = s.nowIso();
  }
  if (typeof input.title === 'string') pr.title = input.title;
  if (typeof input.body === 'string') pr.body = input.body;
  return { status: 200, body: pullJson(s, pr) };
}

function combinedStatus(s: StubState, owner: string, repo: string, ref: string) {
  const r = s.requireRepo(owner, repo);
  const sha = ref.toLowerCase();
  const latest = new Map<string, StubStatus>();
  for (const x of s.statuses) if (x.repoKey === repoKey(r.owner, r.repo) && x.sha === sha) latest.set(x.context, x);
  const list = [...latest.values()];
  const failed = list.some((x) => x.state === 'failure' || x.state === 'error');
  const state = failed ? 'failure' : list.length > 0 && list.every((x) => x.state === 'success') ? 'success' : 'pending';
  return { status: 200, body: { state, sha, total_count: list.length, statuses: list.map((x) => ({ id: x.id, context: x.context, state: x.state })) } };
}

function checkRuns(s: StubState, call: StubCall, owner: string, repo: string, ref: string) {
  const r = s.requireRepo(owner, repo);
  const sha = ref.toLowerCase();
  const list = s.checkRuns
    .filter((c) => c.repoKey === repoKey(r.owner, r.repo) && c.headSha === sha)
    .map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      conclusion: c.conclusion,
      head_sha: c.headSha,
      details_url: null,
      output: { title: c.output?.title ?? null, summary: c.output?.summary ?? null, text: c.output?.text ?? null },
    }));
  const page = paginate(s.url, call, list);
  return { ...page, body: { total_count: list.length, check_runs: page.body } };
}

/**
 * The routes of the PR gate and the GitHub sync: pulls create/list/get/update, reviews, review comments, check
 * runs and the combined status of a commit.
 */
export function pullRoutes(s: StubState, learnHead: LearnHead): Route[] {
  return [
    { method: 'GET', pattern: new RegExp(`^${REPO}/pulls$`), handle: (c, [o, r]) => listPulls(s, c, o!, r!) },
    { method: 'POST', pattern: new RegExp(`^${REPO}/pulls$`), handle: (c, [o, r]) => createPull(s, learnHead, c, o!, r!) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/pulls/(\\d+)$`), handle: (_c, [o, r, n]) => ({ status: 200, body: pullJson(s, s.requirePull(o!, r!, Number(n))) }) },
    { method: 'PATCH', pattern: new RegExp(`^${REPO}/pulls/(\\d+)$`), handle: (c, [o, r, n]) => updatePull(s, c, o!, r!, n!) },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/pulls/(\\d+)/reviews$`),
      handle: (c, [o, r, n]) => {
        const pr = s.requirePull(o!, r!, Number(n));
        const list = (s.reviews.get(repoKey(pr.owner, pr.repo)) ?? []).filter((x) => x.pullNumber === pr.number);
        const json = list.map((x) => ({ id: x.id, state: x.state, body: x.body ?? '', commit_id: x.commitId, submitted_at: x.submittedAt, user: { login: 'reviewer' } }));
        return paginate(s.url, c, json);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${REPO}/pulls/(\\d+)/comments$`),
      handle: (c, [o, r, n]) => {
        const pr = s.requirePull(o!, r!, Number(n));
        const list = (s.reviewComments.get(repoKey(pr.owner, pr.repo)) ?? []).filter((x) => x.pullNumber === pr.number);
        const json = list.map((x) => ({
          id: x.id, path: x.path, line: x.line, body: x.body, in_reply_to_id: x.inReplyTo ?? undefined, created_at: x.createdAt, user: { login: 'reviewer' },
        }));
        return paginate(s.url, c, json);
      },
    },
    { method: 'GET', pattern: new RegExp(`^${REPO}/commits/([^/]+)/check-runs$`), handle: (c, [o, r, ref]) => checkRuns(s, c, o!, r!, ref!) },
    { method: 'GET', pattern: new RegExp(`^${REPO}/commits/([^/]+)/status$`), handle: (_c, [o, r, ref]) => combinedStatus(s, o!, r!, ref!) },
  ];
}
