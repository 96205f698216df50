export { startGitHubStub } from './github-stub.js';
export type {
  GitHubStub,
  GitHubStubOptions,
  StubRepo,
  StubRepoInput,
  StubPullRequest,
  StubPullRequestInput,
  StubIssue,
  StubIssueInput,
  StubIssueComment,
  StubCommentInput,
  StubCommit,
  StubCommitInput,
  StubTreeEntry,
  StubAuthorAssociation,
  StubSearchRateLimit,
  StubCheckRun,
  StubStatus,
  StubReview,
  StubReviewComment,
  StubRequest,
  StubFault,
  OpenApiViolation,
} from './stub-types.js';
export { compileSearch, SearchQueryError } from './search-query.js';
export type { Searchable } from './search-query.js';
export { folderLocator, readBranchHead, readDefaultBranch } from './local-repos.js';
export type { RepoLocator } from './local-repos.js';
