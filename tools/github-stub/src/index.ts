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
