import type { CheckItem, GitHubClient, IssueCommentInfo, IssueInfo, PullRequestInfo, ReviewInfo } from '@agentpr/github';

/**
 * A small in-memory GitHub for the sweep's unit tests: one repository's PRs with their conversation, reviews and
 * checks. Times come from the test's clock. `crashAfterPost` makes the next comment land on "GitHub" and then throw,
 * like a process killed between posting and recording.
 */
export interface FakeGitHub extends GitHubClient {
  pulls: Map<number, PullRequestInfo & { createdAt: string; closedAt: string | null; author: string }>;
  comments: Map<number, IssueCommentInfo[]>;
  reviews: Map<number, ReviewInfo[]>;
  checks: CheckItem[];
  calls: string[];
  crashAfterPost: boolean;
  open(number: number, createdAt: string): void;
  comment(number: number, body: string, author: string, association: IssueCommentInfo['authorAssociation']): IssueCommentInfo;
  review(number: number, state: string, author: string, body?: string): void;
  close(number: number, merged: boolean): void;
}

export function fakeGitHub(clock: () => Date, owner = 'Acme', repo = 'Widgets'): FakeGitHub {
  let nextId = 5000;
  const now = () => clock().toISOString();
  const fake: FakeGitHub = {
    pulls: new Map(),
    comments: new Map(),
    reviews: new Map(),
    checks: [],
    calls: [],
    crashAfterPost: false,
    open(number, createdAt) {
      const url = `https://github.com/${owner}/${repo}/pull/${number}`;
      fake.pulls.set(number, { number, url, state: 'open', merged: false, draft: false, headSha: 'a'.repeat(40), headRef: 'agentpr/x', headOwner: 'agentpr-bot', baseRef: 'main', createdAt, closedAt: null, author: 'agentpr-bot' });
    },
    comment(number, body, author, association) {
      const c: IssueCommentInfo = { id: nextId++, body, author, authorAssociation: association, createdAt: now(), htmlUrl: null };
      fake.comments.set(number, [...(fake.comments.get(number) ?? []), c]);
      return c;
    },
    review(number, state, author, body) {
      fake.reviews.set(number, [...(fake.reviews.get(number) ?? []), { id: nextId++, state, submittedAt: now(), commitId: null, body: body ?? null, author }]);
    },
    close(number, merged) {
      const pr = fake.pulls.get(number)!;
      Object.assign(pr, { state: 'closed', merged, closedAt: now() });
    },
    async getDefaultBranch() {
      return 'main';
    },
    async createPullRequest(input) {
      const existing = [...fake.pulls.values()].find((p) => p.state === 'open' && p.headRef === input.head);
      if (existing) return { pullRequest: await fake.getPullRequest(input, existing.number), alreadyExists: true };
      const number = fake.pulls.size + 1;
      fake.open(number, now());
      Object.assign(fake.pulls.get(number)!, { headRef: input.head, headOwner: input.headOwner });
      return { pullRequest: await fake.getPullRequest(input, number), alreadyExists: false };
    },
    async getPullRequest(_repo, number) {
      fake.calls.push(`getPullRequest ${number}`);
      const pr = fake.pulls.get(number);
      if (!pr) throw new Error(`no PR #${number}`);
      const { createdAt: _c, closedAt: _d, author: _a, ...info } = pr;
      return { ...info };
    },
    async getIssue(_repo, number): Promise<IssueInfo | null> {
      const pr = fake.pulls.get(number);
      if (!pr) return null;
      return { number, title: 't', state: pr.state, isPullRequest: true, htmlUrl: pr.url, author: pr.author, createdAt: pr.createdAt, closedAt: pr.closedAt };
    },
    async listIssueComments(_repo, number) {
      return [...(fake.comments.get(number) ?? [])];
    },
    async listReviews(_repo, number) {
      return [...(fake.reviews.get(number) ?? [])];
    },
    async listChecksForRef() {
      return fake.checks;
    },
    async createIssueComment(_repo, number, body) {
      fake.calls.push(`createIssueComment ${number}`);
      const posted = fake.comment(number, body, 'agentpr-bot', 'CONTRIBUTOR');
      if (fake.crashAfterPost) {
        fake.crashAfterPost = false;
        throw new Error('killed after posting');
      }
      return posted;
    },
    async closePullRequest(_repo, number) {
      fake.calls.push(`closePullRequest ${number}`);
      fake.close(number, false);
      return fake.getPullRequest({ owner, repo }, number);
    },
  };
  return fake;
}
