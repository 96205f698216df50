export { startGitHubStub } from './github-stub.js';
export type {
  GitHubStub,
  GitHubStubOptions,
  StubRepo,
  StubPullRequest,
  StubCheckRun,
  StubStatus,
  StubReview,
  StubReviewComment,
  StubRequest,
  StubFault,
} from './github-stub.js';
export { folderLocator, readBranchHead, readDefaultBranch } from './local-repos.js';
export type { RepoLocator } from './local-repos.js';
