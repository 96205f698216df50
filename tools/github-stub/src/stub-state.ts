import { createHash } from 'node:crypto';
import { HttpError } from './http.js';
import type {
  StubAuthorAssociation,
  StubCheckRun,
  StubCommit,
  StubIssue,
  StubIssueComment,
  StubPullRequest,
  StubRepo,
  StubReview,
  StubReviewComment,
  StubStatus,
  StubTreeEntry,
} from './stub-types.js';

/** `owner/repo` lower-cased: GitHub matches both case-insensitively. */
export const repoKey = (owner: string, repo: string): string => `${owner.toLowerCase()}/${repo.toLowerCase()}`;

/** A deterministic 40-hex SHA for seeded objects that have no git content. */
export function fakeSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\0')).digest('hex');
}

/** The git blob SHA of a file's content, as the contents API reports it. */
export function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * Everything the stub holds, shared by its route modules and its JS API. Maps are keyed by {@link repoKey}.
 */
export class StubState {
  readonly repos = new Map<string, StubRepo>();
  /** PR heads: `<repoKey>|<headOwner>:<branch>` (lower-case) → SHA. */
  readonly heads = new Map<string, string>();
  /** The repository's own branches, case kept: repoKey → name → SHA. */
  readonly branches = new Map<string, Map<string, string>>();
  readonly pulls = new Map<string, StubPullRequest[]>();
  readonly issues = new Map<string, StubIssue[]>();
  readonly comments = new Map<string, StubIssueComment[]>();
  readonly commits = new Map<string, StubCommit[]>();
  /** repoKey → ref → path → entry. The default branch's tree is stored under the ref `''`. */
  readonly trees = new Map<string, Map<string, Map<string, StubTreeEntry>>>();
  readonly associations = new Map<string, Map<string, StubAuthorAssociation>>();
  readonly checkRuns: Array<StubCheckRun & { repoKey: string }> = [];
  readonly statuses: Array<StubStatus & { repoKey: string }> = [];
  readonly reviews = new Map<string, StubReview[]>();
  readonly reviewComments = new Map<string, StubReviewComment[]>();
  private id = 1000;
  url = '';

  constructor(
    readonly htmlBase: string,
    readonly login: string,
    public now: () => Date,
  ) {}

  /** The current time of the stub's clock, ISO 8601. */
  nowIso(): string {
    return this.now().toISOString();
  }

  nextId(): number {
    return this.id++;
  }

  requireRepo(owner: string, repo: string): StubRepo {
    const found = this.repos.get(repoKey(owner, repo));
    if (!found) throw new HttpError(404, 'Not Found');
    return found;
  }

  findPull(owner: string, repo: string, number: number): StubPullRequest | undefined {
    return (this.pulls.get(repoKey(owner, repo)) ?? []).find((p) => p.number === number);
  }

  requirePull(owner: string, repo: string, number: number): StubPullRequest {
    const found = this.findPull(owner, repo, number);
    if (!found) throw new HttpError(404, 'Not Found');
    return found;
  }

  findIssue(owner: string, repo: string, number: number): StubIssue | undefined {
    return (this.issues.get(repoKey(owner, repo)) ?? []).find((i) => i.number === number);
  }

  /** The next number of the repository's shared issue/PR sequence. */
  nextNumber(owner: string, repo: string): number {
    const k = repoKey(owner, repo);
    const used = [...(this.pulls.get(k) ?? []), ...(this.issues.get(k) ?? [])].map((x) => x.number);
    return used.reduce((n, x) => Math.max(n, x), 0) + 1;
  }

  /** How `login` relates to the repository: as set with addCollaborator, OWNER for the owner, else NONE. */
  associationOf(owner: string, repo: string, login: string): StubAuthorAssociation {
    const set = this.associations.get(repoKey(owner, repo))?.get(login.toLowerCase());
    if (set) return set;
    return login.toLowerCase() === owner.toLowerCase() ? 'OWNER' : 'NONE';
  }

  /** The tree of `ref` (the default branch when empty or its name); undefined for an unknown ref. */
  tree(owner: string, repo: string, ref: string | null, create = false): Map<string, StubTreeEntry> | undefined {
    const r = this.requireRepo(owner, repo);
    const k = repoKey(owner, repo);
    const name = !ref || ref === r.defaultBranch ? '' : ref;
    let refs = this.trees.get(k);
    if (!refs) this.trees.set(k, (refs = new Map()));
    let tree = refs.get(name);
    if (!tree && (create || name === '')) refs.set(name, (tree = new Map()));
    return tree;
  }

  /** The SHA a branch of the repository points at: its newest seeded commit, a set branch, or a stable fake. */
  branchSha(owner: string, repo: string, name: string): string | undefined {
    const k = repoKey(owner, repo);
    const newest = this.commitsOf(owner, repo, name)[0];
    if (newest) return newest.sha;
    const set = this.branches.get(k)?.get(name);
    if (set) return set;
    return name === this.requireRepo(owner, repo).defaultBranch ? fakeSha(k, name) : undefined;
  }

  /** The commits of a branch, newest first. */
  commitsOf(owner: string, repo: string, branch: string): StubCommit[] {
    return (this.commits.get(repoKey(owner, repo)) ?? []).filter((c) => c.branch === branch).sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
  }
}
