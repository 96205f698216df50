import { fakeSha, repoKey, type StubState } from './stub-state.js';
import type { GitHubStub, StubCheckRun, StubCommit, StubIssue, StubIssueComment, StubPullRequest, StubReview, StubReviewComment, StubStatus } from './stub-types.js';

/** The part of {@link GitHubStub} that changes GitHub's state. */
export type SeedApi = Omit<GitHubStub, 'url' | 'port' | 'requests' | 'openApiViolations' | 'linkFork' | 'failNext' | 'setSearchRateLimit' | 'close'>;

const push = <T>(map: Map<string, T[]>, k: string, item: T): T => {
  map.set(k, [...(map.get(k) ?? []), item]);
  return item;
};

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`stub: no ${what}`);
  return value;
}

const cleanPath = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** Builds the seeding API over the stub's state: every change a test makes to "GitHub". */
export function createSeedApi(s: StubState): SeedApi {
  const pullOf = (owner: string, repo: string, number: number) => must(s.findPull(owner, repo, number), `PR ${owner}/${repo}#${number}`);
  const treeOf = (owner: string, repo: string, ref?: string) => must(s.tree(owner, repo, ref ?? null, true), `ref ${ref}`);

  const api: SeedApi = {
    addRepo(owner, repo, opts = {}) {
      const r = { owner, repo, defaultBranch: opts.defaultBranch ?? 'main', archived: opts.archived ?? false, fork: opts.fork ?? false, pushedAt: opts.pushedAt ?? null };
      s.repos.set(repoKey(owner, repo), r);
      return r;
    },
    updateRepo(owner, repo, patch) {
      const r = must(s.repos.get(repoKey(owner, repo)), `repository ${owner}/${repo}`);
      if (patch.defaultBranch !== undefined) r.defaultBranch = patch.defaultBranch;
      if (patch.archived !== undefined) r.archived = patch.archived;
      if (patch.fork !== undefined) r.fork = patch.fork;
      if (patch.pushedAt !== undefined) r.pushedAt = patch.pushedAt;
      return r;
    },
    setBranchHead({ owner, repo, headOwner, branch, sha }) {
      const head = `${headOwner}:${branch}`;
      s.heads.set(`${repoKey(owner, repo)}|${head.toLowerCase()}`, sha.toLowerCase());
      if (headOwner.toLowerCase() === owner.toLowerCase()) api.addBranch(owner, repo, branch, sha);
      for (const pr of s.pulls.get(repoKey(owner, repo)) ?? []) if (pr.state === 'open' && pr.head.toLowerCase() === head.toLowerCase()) pr.headSha = sha.toLowerCase();
    },
    addBranch(owner, repo, name, sha) {
      const k = repoKey(owner, repo);
      if (!s.branches.has(k)) s.branches.set(k, new Map());
      s.branches.get(k)!.set(name, (sha ?? fakeSha(k, name)).toLowerCase());
    },
    getPull: (owner, repo, number) => s.findPull(owner, repo, number),
    listPulls: (owner, repo) => [...(s.pulls.get(repoKey(owner, repo)) ?? [])],
    addPullRequest(owner, repo, input) {
      const r = s.requireRepo(owner, repo);
      const number = s.nextNumber(owner, repo);
      const author = input.author ?? 'someone';
      const headOwner = input.headOwner ?? author;
      const headRef = input.headRef ?? `patch-${number}`;
      const merged = input.merged ?? false;
      const createdAt = input.createdAt ?? s.nowIso();
      const closedAt = input.closedAt ?? (merged ? (input.mergedAt ?? createdAt) : input.state === 'closed' ? createdAt : null);
      const pr: StubPullRequest = {
        number, owner: r.owner, repo: r.repo, title: input.title, body: input.body ?? '', head: `${headOwner}:${headRef}`, headOwner, headRef,
        headSha: (input.headSha ?? fakeSha(repoKey(owner, repo), headOwner, headRef)).toLowerCase(), base: input.base ?? r.defaultBranch,
        draft: input.draft ?? false, state: merged || closedAt ? 'closed' : (input.state ?? 'open'), merged, createdAt, author,
        closedAt, mergedAt: merged ? (input.mergedAt ?? closedAt) : null,
      };
      return push(s.pulls, repoKey(owner, repo), pr);
    },
    addIssue(owner, repo, input) {
      const r = s.requireRepo(owner, repo);
      const createdAt = input.createdAt ?? s.nowIso();
      const closedAt = input.closedAt ?? (input.state === 'closed' ? createdAt : null);
      const issue: StubIssue = {
        number: s.nextNumber(owner, repo), owner: r.owner, repo: r.repo, title: input.title, body: input.body ?? '', author: input.author ?? 'someone',
        state: closedAt ? 'closed' : 'open', labels: input.labels ?? [], createdAt, closedAt,
      };
      return push(s.issues, repoKey(owner, repo), issue);
    },
    getIssue: (owner, repo, number) => s.findIssue(owner, repo, number),
    closeIssue(owner, repo, number, closedAt) {
      const issue = must(s.findIssue(owner, repo, number), `issue ${owner}/${repo}#${number}`);
      issue.state = 'closed';
      issue.closedAt = closedAt ?? s.nowIso();
      return issue;
    },
    addComment(owner, repo, number, input) {
      const r = s.requireRepo(owner, repo);
      must(s.findIssue(owner, repo, number) ?? s.findPull(owner, repo, number), `issue or PR ${owner}/${repo}#${number}`);
      const comment: StubIssueComment = {
        id: s.nextId(), owner: r.owner, repo: r.repo, issueNumber: number, body: input.body, author: input.author,
        authorAssociation: input.authorAssociation ?? s.associationOf(r.owner, r.repo, input.author), createdAt: input.createdAt ?? s.nowIso(),
      };
      return push(s.comments, repoKey(owner, repo), comment);
    },
    listComments: (owner, repo, number) => (s.comments.get(repoKey(owner, repo)) ?? []).filter((c) => number === undefined || c.issueNumber === number),
    addCollaborator(owner, repo, login, association = 'COLLABORATOR') {
      const k = repoKey(owner, repo);
      if (!s.associations.has(k)) s.associations.set(k, new Map());
      s.associations.get(k)!.set(login.toLowerCase(), association);
    },
    addCommit(owner, repo, input) {
      const r = s.requireRepo(owner, repo);
      const branch = input.branch ?? r.defaultBranch;
      const existing = s.commits.get(repoKey(owner, repo))?.length ?? 0;
      const commit: StubCommit = {
        sha: (input.sha ?? fakeSha(repoKey(owner, repo), branch, input.date, String(existing))).toLowerCase(), branch,
        message: input.message ?? 'Update', author: input.author === undefined ? 'someone' : input.author, date: input.date,
      };
      return push(s.commits, repoKey(owner, repo), commit);
    },
    addFile(owner, repo, path, content, options = {}) {
      treeOf(owner, repo, options.ref).set(cleanPath(path), { kind: 'file', content: Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8') });
    },
    addSymlink(owner, repo, path, target, options = {}) {
      treeOf(owner, repo, options.ref).set(cleanPath(path), { kind: 'symlink', target });
    },
    addSubmodule(owner, repo, path, url, options = {}) {
      treeOf(owner, repo, options.ref).set(cleanPath(path), { kind: 'submodule', url });
    },
    removeFile(owner, repo, path, options = {}) {
      treeOf(owner, repo, options.ref).delete(cleanPath(path));
    },
    addCheckRun(owner, repo, sha, run) {
      const status = run.status ?? 'completed';
      const conclusion = status === 'completed' ? (run.conclusion ?? 'success') : (run.conclusion ?? null);
      const created: StubCheckRun = {
        id: s.nextId(), name: run.name, status, conclusion, headSha: sha.toLowerCase(), ...(run.output ? { output: run.output } : {}),
      };
      s.checkRuns.push({ ...created, repoKey: repoKey(owner, repo) });
      return created;
    },
    updateCheckRun(id, patch) {
      const run = must(s.checkRuns.find((c) => c.id === id), `check run ${id}`);
      if (patch.status) run.status = patch.status;
      if (patch.conclusion !== undefined) run.conclusion = patch.conclusion;
      const { repoKey: _k, ...rest } = run;
      return rest;
    },
    addStatus(owner, repo, sha, st) {
      const created: StubStatus = { id: s.nextId(), context: st.context, state: st.state, sha: sha.toLowerCase() };
      s.statuses.push({ ...created, repoKey: repoKey(owner, repo) });
      return created;
    },
    addReview(owner, repo, number, review) {
      const pr = pullOf(owner, repo, number);
      const created: StubReview = {
        id: s.nextId(), pullNumber: number, state: review.state.toUpperCase(), commitId: review.commitId ?? pr.headSha,
        submittedAt: s.nowIso(),
        ...(review.body ? { body: review.body } : {}),
      };
      return push(s.reviews, repoKey(owner, repo), created);
    },
    addReviewComment(owner, repo, number, comment) {
      pullOf(owner, repo, number);
      const created: StubReviewComment = {
        id: s.nextId(), pullNumber: number, path: comment.path, line: comment.line ?? null, body: comment.body,
        inReplyTo: comment.inReplyTo ?? null, createdAt: s.nowIso(),
      };
      return push(s.reviewComments, repoKey(owner, repo), created);
    },
    merge(owner, repo, number, mergedAt) {
      const pr = pullOf(owner, repo, number);
      const at = mergedAt ?? s.nowIso();
      pr.state = 'closed';
      pr.merged = true;
      pr.mergedAt = at;
      pr.closedAt = at;
      return pr;
    },
    closePull(owner, repo, number, closedAt) {
      const pr = pullOf(owner, repo, number);
      if (pr.state === 'open') pr.closedAt = closedAt ?? s.nowIso();
      pr.state = 'closed';
      return pr;
    },
    setNow(now) {
      s.now = now;
    },
  };
  return api;
}
