import type { GitHubClient, RepoRef } from '@agentpr/github';
import { isMaintainer } from './maintainers.js';

/**
 * What the etiquette reads about a repository: whether it is archived, and the newest sign of maintainer activity of
 * each kind. JSON-safe (stored as evidence and reused for a few hours), dates ISO 8601 or null.
 */
export interface RepositoryFacts {
  archived: boolean;
  defaultBranch: string;
  /** The committer date of the default branch's newest commit. */
  lastCommitAt: string | null;
  /** The newest `merged_at` among the repository's most recently closed PRs. */
  lastMergedPrAt: string | null;
  /** The newest issue or PR comment by a maintainer (OWNER, MEMBER, COLLABORATOR) among the repository's latest comments. */
  lastMaintainerCommentAt: string | null;
  /** False when only `archived` was read (no activity rule applies); the three dates are then null. */
  activityChecked: boolean;
  fetchedAt: string;
}

/** Whether a repository welcomes a PR as far as archiving and activity go. */
export type RepositoryStanding =
  | { kind: 'active'; newestActivityAt: string | null }
  | { kind: 'archived' }
  | { kind: 'inactive'; newestActivityAt: string | null; maxInactiveDays: number };

/** Closed PRs and repository comments read for activity: one page each. */
const ACTIVITY_PAGE = 100;
const DAY_MS = 86_400_000;

function missing(method: string): Error {
  return new Error(`the GitHub client cannot ${method}, which the etiquette needs`);
}

/** An ISO date from GitHub (hostile text), normalised; null when absent or not a date. */
function isoOrNull(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function newest(values: readonly (string | null)[]): string | null {
  let best: string | null = null;
  for (const value of values) if (value !== null && (best === null || Date.parse(value) > Date.parse(best))) best = value;
  return best;
}

/**
 * Reads a repository's facts through the GitHub port: the repository (archived, default branch) and, when
 * `activity` is asked for, the default branch's newest commit, the newest merged PR among the latest 100 closed,
 * and the newest maintainer comment among the latest 100 issue and PR comments. Throws when GitHub fails or the
 * client lacks a method, so the caller can fail closed.
 *
 * @example
 * const facts = await fetchRepositoryFacts(github, { owner: 'o', repo: 'r' }, { activity: true, now: new Date() });
 */
export async function fetchRepositoryFacts(github: GitHubClient, ref: RepoRef, options: { activity: boolean; now: Date }): Promise<RepositoryFacts> {
  if (!github.getRepository) throw missing('read a repository (getRepository)');
  const repository = await github.getRepository(ref);
  const base = { archived: repository.archived === true, defaultBranch: String(repository.defaultBranch).slice(0, 255), fetchedAt: options.now.toISOString() };
  if (!options.activity) return { ...base, lastCommitAt: null, lastMergedPrAt: null, lastMaintainerCommentAt: null, activityChecked: false };
  if (!github.listCommits) throw missing('list commits (listCommits)');
  if (!github.listPullRequests) throw missing('list pull requests (listPullRequests)');
  if (!github.listRepoIssueComments) throw missing('list repository comments (listRepoIssueComments)');
  const [commits, closed, comments] = await Promise.all([
    github.listCommits(ref, { limit: 1 }),
    github.listPullRequests(ref, { state: 'closed', limit: ACTIVITY_PAGE }),
    github.listRepoIssueComments(ref, { limit: ACTIVITY_PAGE }),
  ]);
  return {
    ...base,
    lastCommitAt: newest(commits.slice(0, 1).map((c) => isoOrNull(c.date))),
    lastMergedPrAt: newest(closed.slice(0, ACTIVITY_PAGE).map((p) => isoOrNull(p.mergedAt))),
    lastMaintainerCommentAt: newest(comments.slice(0, ACTIVITY_PAGE).filter((c) => isMaintainer(c.authorAssociation)).map((c) => isoOrNull(c.createdAt))),
    activityChecked: true,
  };
}

/** The newest of the facts' activity dates, or null when none was found. */
export function newestActivity(facts: RepositoryFacts): string | null {
  return newest([facts.lastCommitAt, facts.lastMergedPrAt, facts.lastMaintainerCommentAt]);
}

/**
 * Judges a repository's facts: `archived` when it is archived and `skipArchived`; `inactive` when `maxInactiveDays`
 * is above 0 and no commit, merged PR or maintainer comment is that recent (or none is known); else `active`.
 *
 * @example
 * repositoryStanding(facts, { skipArchived: true, maxInactiveDays: 365 }, now); // → { kind: 'inactive', … }
 */
export function repositoryStanding(facts: RepositoryFacts, rules: { skipArchived: boolean; maxInactiveDays: number }, now: Date): RepositoryStanding {
  if (facts.archived && rules.skipArchived) return { kind: 'archived' };
  const newestActivityAt = newestActivity(facts);
  if (rules.maxInactiveDays > 0 && facts.activityChecked) {
    const cutoff = now.getTime() - rules.maxInactiveDays * DAY_MS;
    if (newestActivityAt === null || Date.parse(newestActivityAt) < cutoff) return { kind: 'inactive', newestActivityAt, maxInactiveDays: rules.maxInactiveDays };
  }
  return { kind: 'active', newestActivityAt };
}
