export { GitHubError } from './errors.js';
export type { GitHubErrorCode } from './errors.js';
export type {
  RepoRef,
  PullRequestInfo,
  CreatePullRequestInput,
  CreatedPullRequest,
  CheckItem,
  ReviewInfo,
  ReviewCommentInfo,
  CheckOutput,
  CheckRunDetails,
  GitHubClient,
  RepositoryInfo,
  RepoFile,
  RepoDirEntry,
  IssueSearchItem,
  IssueSearchResult,
  BranchInfo,
  AuthorAssociation,
  IssueCommentInfo,
  IssueInfo,
  CommitInfo,
  PullRequestListItem,
} from './github-client.js';
export { createOctokitClient, toGitHubError, DEFAULT_GITHUB_API_URL } from './octokit-client.js';
export type { OctokitClientOptions, GitHubClientLog } from './octokit-client.js';
export { resolveGitHubToken, requireGitHubToken, resolveGitHubApiUrl } from './resolve-token.js';
export type { ResolvedToken, ResolveTokenOptions } from './resolve-token.js';
export { verifyWebhookSignature, signWebhookPayload } from './verify-signature.js';
export { classifyCheckItem, rollUpChecks, webhookConclusion } from './check-rollup.js';
export type { CheckVerdict, CheckRollup } from './check-rollup.js';
export { decideReview } from './review-decision.js';
export type { ReviewDecision } from './review-decision.js';
export { mapWebhookEvent, webhookRepository, HANDLED_WEBHOOK_EVENTS } from './webhook-events.js';
export type { WebhookRepository, WebhookAction, WebhookTarget, WebhookMapping } from './webhook-events.js';
export { DEFAULT_FILE_MAX_BYTES } from './octokit-contents.js';
export { createSearchThrottle, rateLimitWaitMs, SEARCH_REQUESTS_PER_WINDOW, SEARCH_WINDOW_MS, SEARCH_MAX_WAIT_MS } from './search-throttle.js';
export type { SearchThrottle, SearchThrottleOptions } from './search-throttle.js';
