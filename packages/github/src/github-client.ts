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
}
