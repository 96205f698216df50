import { HttpError, type Reply } from './http.js';
import type { SeedApi } from './seed-api.js';
import type { GitHubStub, StubAuthorAssociation } from './stub-types.js';

type Input = Record<string, any>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const ok = (body: unknown = { ok: true }, status = 200): Reply => ({ status, body });

/** A repository-scoped `/_stub/{o}/{r}/…` route. */
type RepoSeed = (api: SeedApi, owner: string, repo: string, input: Input, rest: string[]) => Reply;

const REPO_SEEDS: Array<[RegExp, RepoSeed]> = [
  [/^repo$/, (api, o, r, i) => ok(api.updateRepo(o, r, repoInput(i)))],
  [
    /^branches$/,
    (api, o, r, i) => {
      if (i.head_owner === undefined) api.addBranch(o, r, String(i.branch ?? i.name), str(i.sha));
      else api.setBranchHead({ owner: o, repo: r, headOwner: i.head_owner, branch: i.branch, sha: i.sha });
      return ok();
    },
  ],
  [/^commits\/([^/]+)\/check-runs$/, (api, o, r, i, [sha]) => ok(api.addCheckRun(o, r, sha!, i as never), 201)],
  [/^commits\/([^/]+)\/statuses$/, (api, o, r, i, [sha]) => ok(api.addStatus(o, r, sha!, i as never), 201)],
  [
    /^commits$/,
    (api, o, r, i) => ok(api.addCommit(o, r, { date: String(i.date), sha: str(i.sha), branch: str(i.branch), message: str(i.message), author: i.author }), 201),
  ],
  [/^pulls$/, (api, o, r, i) => ok(api.addPullRequest(o, r, pullInput(i)), 201)],
  [/^pulls\/(\d+)\/reviews$/, (api, o, r, i, [n]) => ok(api.addReview(o, r, Number(n), i as never), 201)],
  [/^pulls\/(\d+)\/comments$/, (api, o, r, i, [n]) => ok(api.addReviewComment(o, r, Number(n), i as never), 201)],
  [/^pulls\/(\d+)\/merge$/, (api, o, r, i, [n]) => ok(api.merge(o, r, Number(n), str(i.merged_at)))],
  [/^pulls\/(\d+)\/close$/, (api, o, r, i, [n]) => ok(api.closePull(o, r, Number(n), str(i.closed_at)))],
  [/^issues$/, (api, o, r, i) => ok(api.addIssue(o, r, issueInput(i)), 201)],
  [/^issues\/(\d+)\/close$/, (api, o, r, i, [n]) => ok(api.closeIssue(o, r, Number(n), str(i.closed_at)))],
  [
    /^issues\/(\d+)\/comments$/,
    (api, o, r, i, [n]) =>
      ok(api.addComment(o, r, Number(n), commentInput(i)), 201),
  ],
  [/^collaborators$/, (api, o, r, i) => ok(api.addCollaborator(o, r, String(i.login), i.association as StubAuthorAssociation | undefined))],
  [
    /^contents$/,
    (api, o, r, i) => {
      const path = String(i.path);
      const options = { ref: str(i.ref) };
      if (i.delete === true) api.removeFile(o, r, path, options);
      else if (typeof i.symlink_target === 'string') api.addSymlink(o, r, path, i.symlink_target, options);
      else if (typeof i.submodule_url === 'string') api.addSubmodule(o, r, path, i.submodule_url, options);
      else api.addFile(o, r, path, typeof i.content_base64 === 'string' ? Buffer.from(i.content_base64, 'base64') : String(i.content ?? ''), options);
      return ok(undefined, 201);
    },
  ],
];

function issueInput(i: Input) {
  const dates = { createdAt: str(i.created_at), closedAt: i.closed_at };
  return { title: String(i.title), body: str(i.body), author: str(i.author), state: i.state, labels: i.labels, ...dates };
}

function commentInput(i: Input) {
  return { body: String(i.body), author: String(i.author), authorAssociation: i.author_association, createdAt: str(i.created_at) };
}

function repoInput(i: Input) {
  return { defaultBranch: str(i.default_branch), archived: i.archived, fork: i.fork, pushedAt: i.pushed_at };
}

function pullInput(i: Input) {
  return {
    title: String(i.title), body: str(i.body), author: str(i.author), headRef: str(i.head_ref), headOwner: str(i.head_owner), headSha: str(i.head_sha),
    base: str(i.base), draft: i.draft, state: i.state, merged: i.merged, createdAt: str(i.created_at), closedAt: i.closed_at, mergedAt: i.merged_at,
  };
}

/**
 * The `/_stub/*` HTTP routes: the JS seeding API for tests that drive another process. Bodies use snake_case
 * (`default_branch`, `head_owner`, `created_at`, …).
 */
export function seedRoute(stub: GitHubStub, api: SeedApi, path: string, body: unknown): Reply {
  const input = (body ?? {}) as Input;
  if (path === '/_stub/repos') {
    return ok(api.addRepo(input.owner, input.repo, repoInput(input)), 201);
  }
  if (path === '/_stub/forks') {
    stub.linkFork({ headOwner: String(input.head_owner), repo: String(input.repo), path: String(input.path) });
    return ok();
  }
  if (path === '/_stub/search-rate-limit') {
    stub.setSearchRateLimit({ limit: input.limit, windowMs: input.window_ms });
    return ok();
  }
  if (path === '/_stub/now') {
    const fixed = str(input.now);
    api.setNow(fixed ? () => new Date(fixed) : () => new Date());
    return ok();
  }
  if (path === '/_stub/openapi-violations') return ok(stub.openApiViolations);
  const m = path.match(/^\/_stub\/([^/]+)\/([^/]+)\/(.+)$/);
  if (m) {
    for (const [pattern, seed] of REPO_SEEDS) {
      const rest = m[3]!.match(pattern);
      if (rest) return seed(api, m[1]!, m[2]!, input, rest.slice(1));
    }
  }
  throw new HttpError(404, 'Not Found');
}
