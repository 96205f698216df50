/** An upstream repository, `owner/repo`. Compared case-insensitively everywhere. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** What agentpr needs to know about one pull request. */
export interface PullRequestInfo {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  /** The SHA the PR's head branch points at now. */
  headSha: string;
  headRef: string;
  /** The owner of the head repository (the fork), when GitHub reports it. */
  headOwner: string | null;
  baseRef: string;
}

/** The input of {@link GitHubClient.createPullRequest}. */
export interface CreatePullRequestInput extends RepoRef {
  title: string;
  body: string;
  /** The branch in the fork. */
  head: string;
  /** The fork's owner; the PR head becomes `<headOwner>:<head>`. */
  headOwner: string;
  /** The upstream branch to merge into; the upstream's default branch when omitted. */
  base?: string | undefined;
  draft?: boolean | undefined;
}

/** The outcome of {@link GitHubClient.createPullRequest}: a new PR, or the open one that already existed. */
export interface CreatedPullRequest {
  pullRequest: PullRequestInfo;
  /** True when GitHub refused a duplicate and the existing open PR for the same head was returned. */
  alreadyExists: boolean;
}

/**
 * One CI signal for a commit: a check run (GitHub Checks) or a commit status context. Values are lower-case
 * as the REST API reports them.
 */
export type CheckItem =
  | { kind: 'check_run'; name: string; status: string; conclusion: string | null }
  | { kind: 'status'; context: string; state: string };

/** What a check run reported: its title, summary and text (Markdown, possibly long; callers cap it). */
export interface CheckOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
}

/** A check run with what it reported, for showing a failure to whoever fixes it. */
export interface CheckRunDetails {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  output: CheckOutput;
  detailsUrl: string | null;
}

/** One inline review comment on a PR's diff (a thread is the comment and its replies). */
export interface ReviewCommentInfo {
  id: number;
  path: string;
  line: number | null;
  body: string;
  author: string | null;
  /** The comment this one answers, for threads. */
  inReplyTo: number | null;
  createdAt: string | null;
}

/** A submitted review; `state` lower-cased (`approved`, `changes_requested`, `commented`, `dismissed`, …). */
export interface ReviewInfo {
  id: number;
  state: string;
  submittedAt: string | null;
  commitId: string | null;
  /** The review's summary text, when it has one. */
  body?: string | null;
  author?: string | null;
}

/** What agentpr needs to know about a repository (etiquette: archived, activity). */
export interface RepositoryInfo {
  owner: string;
  repo: string;
  defaultBranch: string;
  archived: boolean;
  fork: boolean;
  /** When anything was last pushed to any branch (ISO 8601), when GitHub reports it. */
  pushedAt: string | null;
  htmlUrl: string;
}

/**
 * A file read from a repository. Only regular files: a directory, a symlink or a submodule is reported as absent.
 * `text` is the UTF-8 content, capped at the caller's `maxBytes` (`truncated` says so).
 */
export interface RepoFile {
  path: string;
  sha: string;
  size: number;
  text: string;
  truncated: boolean;
  htmlUrl: string | null;
}

/** One entry of a repository directory listing. */
export interface RepoDirEntry {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  size: number;
}

/** A PR or an issue found by the search API (`/search/issues`). */
export interface IssueSearchItem {
  number: number;
  title: string;
  body: string | null;
  htmlUrl: string;
  state: 'open' | 'closed';
  isPullRequest: boolean;
  author: string | null;
  createdAt: string;
  closedAt: string | null;
  /** True when the PR was merged (search reports `pull_request.merged_at`). */
  merged: boolean;
}

/** The outcome of a search: the total GitHub counted, and the first page of items. */
export interface IssueSearchResult {
  totalCount: number;
  incomplete: boolean;
  items: IssueSearchItem[];
}

/** A branch of a repository. */
export interface BranchInfo {
  name: string;
  sha: string;
}

/**
 * How the author of a comment, review or commit relates to the repository, as GitHub reports it (upper-case):
 * OWNER, MEMBER and COLLABORATOR are maintainers.
 */
export type AuthorAssociation = 'OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR' | 'FIRST_TIME_CONTRIBUTOR' | 'FIRST_TIMER' | 'MANNEQUIN' | 'NONE';

/** A comment on an issue or on a PR's conversation. */
export interface IssueCommentInfo {
  id: number;
  body: string;
  author: string | null;
  authorAssociation: AuthorAssociation | null;
  createdAt: string;
  htmlUrl: string | null;
}

/** An issue (or a PR seen as an issue). */
export interface IssueInfo {
  number: number;
  title: string;
  state: 'open' | 'closed';
  isPullRequest: boolean;
  htmlUrl: string;
  author: string | null;
  createdAt: string;
  closedAt: string | null;
}

/** One commit of a branch's history (newest first when listed). */
export interface CommitInfo {
  sha: string;
  /** The committer date (ISO 8601). */
  date: string | null;
  author: string | null;
}

/** A PR as listed (`GET /repos/{o}/{r}/pulls`), with the dates the funnel and the etiquette read. */
export interface PullRequestListItem {
  number: number;
  title: string;
  htmlUrl: string;
  state: 'open' | 'closed';
  author: string | null;
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  headRef: string;
}

/**
 * The smallest interface to GitHub that agentpr calls. The Octokit implementation is
 * {@link createOctokitClient}; tests may implement it directly.
 */
export interface GitHubClient {
  /** The repository's default branch (the base of a PR when none is given). */
  getDefaultBranch(repo: RepoRef): Promise<string>;
  /** Opens a PR from `<headOwner>:<head>` into `base`; returns the existing open PR when one exists. */
  createPullRequest(input: CreatePullRequestInput): Promise<CreatedPullRequest>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** Closes an open PR without merging (the PR gate's answer to a head that moved). Optional so small fakes need not implement it. */
  closePullRequest?(repo: RepoRef, number: number): Promise<PullRequestInfo>;
  /** Every check run and the latest status of every context for a commit. */
  listChecksForRef(repo: RepoRef, ref: string): Promise<CheckItem[]>;
  /** The PR's reviews, oldest first. */
  listReviews(repo: RepoRef, number: number): Promise<ReviewInfo[]>;
  /** Check runs of a commit with their output (title, summary, text). Optional so small test fakes need not implement it. */
  listCheckRunDetails?(repo: RepoRef, ref: string): Promise<CheckRunDetails[]>;
  /** The PR's inline review comments, oldest first. Optional so small test fakes need not implement it. */
  listReviewComments?(repo: RepoRef, number: number): Promise<ReviewCommentInfo[]>;

  // Being a good citizen (issue 17). Optional so small test fakes need not implement them; the use cases that need
  // one fail with a clear `github_unavailable`-style error when it is missing.

  /** The repository: default branch, archived, pushed_at. */
  getRepository?(repo: RepoRef): Promise<RepositoryInfo>;
  /** A regular file's content at `ref` (default branch when omitted); null when absent or not a regular file. */
  getFile?(repo: RepoRef, path: string, options?: { ref?: string; maxBytes?: number }): Promise<RepoFile | null>;
  /** A directory's entries; null when the directory does not exist. */
  listDirectory?(repo: RepoRef, path: string, options?: { ref?: string }): Promise<RepoDirEntry[] | null>;
  /**
   * `GET /search/issues` with a full query (`repo:o/r is:pr in:title "x"`), one page of at most `perPage` (≤ 100)
   * items. Search requests are throttled to GitHub's search rate limit and wait for its reset when GitHub says so.
   */
  searchIssues?(query: string, options?: { perPage?: number }): Promise<IssueSearchResult>;
  /** The repository's branches, at most `limit` (default 300), in GitHub's order. */
  listBranches?(repo: RepoRef, options?: { limit?: number }): Promise<BranchInfo[]>;
  /** PRs of the repository by state, newest first, at most `limit` (default 100). */
  listPullRequests?(repo: RepoRef, options?: { state?: 'open' | 'closed' | 'all'; limit?: number }): Promise<PullRequestListItem[]>;
  /** One issue (or PR) by number; null when it does not exist. */
  getIssue?(repo: RepoRef, number: number): Promise<IssueInfo | null>;
  /** The conversation comments of an issue or PR, oldest first, at most `limit` (default 300), optionally only those since a time. */
  listIssueComments?(repo: RepoRef, number: number, options?: { since?: string; limit?: number }): Promise<IssueCommentInfo[]>;
  /** The newest conversation comments across the whole repository (for maintainer activity), at most `limit` (default 100). */
  listRepoIssueComments?(repo: RepoRef, options?: { since?: string; limit?: number }): Promise<IssueCommentInfo[]>;
  /** Posts a comment on an issue or PR conversation. */
  createIssueComment?(repo: RepoRef, number: number, body: string): Promise<IssueCommentInfo>;
  /** The newest commits of the default branch (or `ref`), at most `limit` (default 1). */
  listCommits?(repo: RepoRef, options?: { ref?: string; since?: string; limit?: number }): Promise<CommitInfo[]>;
}
