import type { RepoLocator } from './local-repos.js';

/** A repository known to the stub. */
export interface StubRepo {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Archived repositories are read-only on GitHub; the etiquette skips them. */
  archived: boolean;
  fork: boolean;
  /** When anything was last pushed (ISO 8601), or null. */
  pushedAt: string | null;
}

/** How an author relates to a repository, upper-case as GitHub reports it. */
export type StubAuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIME_CONTRIBUTOR' | 'FIRST_TIMER' | 'MANNEQUIN' | 'NONE';

/** A pull request held by the stub. PRs and issues share one number sequence per repository, as on GitHub. */
export interface StubPullRequest {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  /** `<fork-owner>:<branch>` as given to create. */
  head: string;
  headOwner: string;
  headRef: string;
  headSha: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged: boolean;
  createdAt: string;
  /** Who opened it: the fork owner for PRs created over the API, or the seeded author. */
  author: string;
  closedAt: string | null;
  mergedAt: string | null;
}

/** An issue held by the stub (not a PR). */
export interface StubIssue {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  labels: string[];
  createdAt: string;
  closedAt: string | null;
}

/** A conversation comment on an issue or a PR. */
export interface StubIssueComment {
  id: number;
  owner: string;
  repo: string;
  /** The issue or PR it belongs to. */
  issueNumber: number;
  body: string;
  author: string;
  authorAssociation: StubAuthorAssociation;
  createdAt: string;
}

/** A commit of one branch's history. */
export interface StubCommit {
  sha: string;
  /** The branch it belongs to (the default branch when seeded without one). */
  branch: string;
  message: string;
  author: string | null;
  /** Author and committer date (ISO 8601). */
  date: string;
}

/** One entry of a repository tree: a regular file, a symlink or a submodule. Directories are implied by paths. */
export type StubTreeEntry = { kind: 'file'; content: Buffer } | { kind: 'symlink'; target: string } | { kind: 'submodule'; url: string };

/** A check run on a commit. */
export interface StubCheckRun {
  id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  headSha: string;
  /** What the check reported (title, summary, text), shown to the agent in a CI-fix round. */
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

/** A commit status. */
export interface StubStatus {
  id: number;
  context: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  sha: string;
}

/** A PR review. */
export interface StubReview {
  id: number;
  pullNumber: number;
  /** Upper-case as the REST API reports it: `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`. */
  state: string;
  commitId: string;
  submittedAt: string;
  body?: string;
}

/** An inline review comment on a PR. */
export interface StubReviewComment {
  id: number;
  pullNumber: number;
  path: string;
  line: number | null;
  body: string;
  inReplyTo: number | null;
  createdAt: string;
}

/** One request the stub served, for assertions. */
export interface StubRequest {
  method: string;
  path: string;
  authorized: boolean;
  body: unknown;
  /** The query string's parameters. */
  query: Record<string, string>;
  /** When it arrived (`Date.now()`, wall clock, not the stub's `now`). */
  at: number;
  /** The status the stub answered. */
  status?: number;
}

/** A request that did not satisfy GitHub's OpenAPI description (answered 422). */
export interface OpenApiViolation {
  method: string;
  path: string;
  /** What was wrong, one line. */
  reason: string;
}

/** A fault to inject: the next `times` requests matching `method` and `path` get `status` (with `headers`). */
export interface StubFault {
  method: string;
  path: RegExp;
  status: number;
  times?: number;
  message?: string;
  headers?: Record<string, string>;
}

/** The stub's search rate limit: at most `limit` search requests per rolling `windowMs`. */
export interface StubSearchRateLimit {
  limit: number;
  windowMs: number;
}

/** Options of {@link startGitHubStub}. */
export interface GitHubStubOptions {
  /** When set, every REST call must carry `Authorization: token <token>` (or `Bearer`); else 401. */
  token?: string;
  /** The login of the token's user: the author of comments posted over the API. Default `agentpr-bot`. */
  login?: string;
  host?: string;
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Base of the `html_url` of PRs; default `https://github.com`. */
  htmlBase?: string;
  /**
   * Where the forks live, so pushed branches are learned from them: a folder laid out as `<dir>/<owner>/<repo>(.git)`
   * or a locator. A PR head (`<owner>:<branch>`) is read from the fork with git whenever a PR is created or read,
   * so nobody has to call `setBranchHead` after a push. See also `linkFork`.
   */
  forks?: string | RepoLocator;
  /** Where the upstream repositories live (same layout): an unknown repository found there is added, with its HEAD as default branch. */
  upstreams?: string | RepoLocator;
  /** Answer every repository as existing (default branch `main`) instead of 404 for unknown ones. */
  autoRepos?: boolean;
  /** The stub's clock for the dates it stamps (created_at, closed_at); default the wall clock. */
  now?: () => Date;
  /** The search rate limit; default GitHub's 30 requests per 60 s. */
  searchRateLimit?: Partial<StubSearchRateLimit>;
  /** Check every request against GitHub's OpenAPI description (422 and `openApiViolations` when it fails); default true. */
  validateRequests?: boolean;
}

/** Input of {@link GitHubStub.addRepo}. */
export interface StubRepoInput {
  defaultBranch?: string;
  archived?: boolean;
  fork?: boolean;
  pushedAt?: string | null;
}

/** Input of {@link GitHubStub.addIssue}. */
export interface StubIssueInput {
  title: string;
  body?: string;
  author?: string;
  state?: 'open' | 'closed';
  labels?: string[];
  createdAt?: string;
  closedAt?: string | null;
}

/** Input of {@link GitHubStub.addPullRequest}: a PR that exists on GitHub already (no branch needed). */
export interface StubPullRequestInput {
  title: string;
  body?: string;
  author?: string;
  /** The head branch; default `patch-<number>`. */
  headRef?: string;
  /** The fork owner; default the author. */
  headOwner?: string;
  headSha?: string;
  base?: string;
  draft?: boolean;
  state?: 'open' | 'closed';
  merged?: boolean;
  createdAt?: string;
  closedAt?: string | null;
  mergedAt?: string | null;
}

/** Input of {@link GitHubStub.addComment}. */
export interface StubCommentInput {
  body: string;
  author: string;
  /** Default: the author's association with the repository (see `addCollaborator`), OWNER for the repository owner, else NONE. */
  authorAssociation?: StubAuthorAssociation;
  createdAt?: string;
}

/** Input of {@link GitHubStub.addCommit}. */
export interface StubCommitInput {
  date: string;
  sha?: string;
  branch?: string;
  message?: string;
  author?: string | null;
}

/** A running stub: its URL (use as `GITHUB_API_URL`), a JS API to change GitHub's state, and `close`. */
export interface GitHubStub {
  url: string;
  port: number;
  requests: StubRequest[];
  /** Requests that violated GitHub's OpenAPI description; tests assert it stays empty. */
  openApiViolations: OpenApiViolation[];
  /** Adds (or replaces the facts of) a repository; its files, issues and PRs are kept. */
  addRepo(owner: string, repo: string, options?: StubRepoInput): StubRepo;
  /** Changes the facts of a known repository (archived, pushed_at, default branch). */
  updateRepo(owner: string, repo: string, patch: StubRepoInput): StubRepo;
  /** Points `<headOwner>:<branch>` at `sha`, like a push to the fork; open PRs from it follow. */
  setBranchHead(input: { owner: string; repo: string; headOwner: string; branch: string; sha: string }): void;
  /** A branch of the repository itself (listed by `GET /repos/{o}/{r}/branches`). */
  addBranch(owner: string, repo: string, name: string, sha?: string): void;
  /** Names the local repository that is `<headOwner>/<repo>` (the fork): its branch heads are then read from it with git. */
  linkFork(input: { headOwner: string; repo: string; path: string }): void;
  getPull(owner: string, repo: string, number: number): StubPullRequest | undefined;
  listPulls(owner: string, repo: string): StubPullRequest[];
  /** Seeds a PR opened by someone (open, closed or merged, with its dates), for search, lists and the funnel. */
  addPullRequest(owner: string, repo: string, input: StubPullRequestInput): StubPullRequest;
  /** Seeds an issue; its number continues the repository's issue/PR sequence. */
  addIssue(owner: string, repo: string, input: StubIssueInput): StubIssue;
  getIssue(owner: string, repo: string, number: number): StubIssue | undefined;
  closeIssue(owner: string, repo: string, number: number, closedAt?: string): StubIssue;
  /** Seeds a conversation comment on an issue or PR. */
  addComment(owner: string, repo: string, number: number, input: StubCommentInput): StubIssueComment;
  /** The conversation comments of an issue or PR (or of the whole repository), oldest first. */
  listComments(owner: string, repo: string, number?: number): StubIssueComment[];
  /** Makes `login` a maintainer (or any association) of the repository for comments posted or seeded without one. */
  addCollaborator(owner: string, repo: string, login: string, association?: StubAuthorAssociation): void;
  /** Seeds a commit on a branch (default branch by default); the branch head follows the newest one. */
  addCommit(owner: string, repo: string, input: StubCommitInput): StubCommit;
  /** A regular file at `path` (on `ref`, default the default branch). */
  addFile(owner: string, repo: string, path: string, content: string | Buffer, options?: { ref?: string }): void;
  /** A symlink at `path` pointing at `target` (relative to the link's directory, as git stores it). */
  addSymlink(owner: string, repo: string, path: string, target: string, options?: { ref?: string }): void;
  addSubmodule(owner: string, repo: string, path: string, url: string, options?: { ref?: string }): void;
  removeFile(owner: string, repo: string, path: string, options?: { ref?: string }): void;
  addCheckRun(owner: string, repo: string, sha: string, run: { name: string; status?: StubCheckRun['status']; conclusion?: string | null; output?: StubCheckRun['output'] }): StubCheckRun;
  updateCheckRun(id: number, patch: { status?: StubCheckRun['status']; conclusion?: string | null }): StubCheckRun;
  addStatus(owner: string, repo: string, sha: string, status: { context: string; state: StubStatus['state'] }): StubStatus;
  addReview(owner: string, repo: string, number: number, review: { state: string; commitId?: string; body?: string }): StubReview;
  addReviewComment(
    owner: string,
    repo: string,
    number: number,
    comment: { path: string; line?: number | null; body: string; inReplyTo?: number | null },
  ): StubReviewComment;
  merge(owner: string, repo: string, number: number, mergedAt?: string): StubPullRequest;
  closePull(owner: string, repo: string, number: number, closedAt?: string): StubPullRequest;
  /** Changes the search rate limit (the window starts afresh). */
  setSearchRateLimit(limit: Partial<StubSearchRateLimit>): void;
  /** Replaces the stub's clock. */
  setNow(now: () => Date): void;
  failNext(fault: StubFault): void;
  close(): Promise<void>;
}
