import { sql } from 'kysely';
import type { Db } from './schema.js';

// What the PR etiquette counts: the open agent PRs in a repository and across an owner (any campaign), the PRs a
// campaign opened recently, and the repository facts an earlier etiquette check recorded.

/** An open agent PR: a run that has not ended, with a linked PR the store knows of no close of. */
export interface OpenAgentPrRow {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number;
  campaign: string | null;
}

/** The filter of {@link openAgentPrs}: one owner, optionally one of its repositories (case-insensitive). */
export interface OpenAgentPrFilter {
  owner: string;
  repo?: string | undefined;
  /** Leave this run out (the one asking). */
  excludeRunId?: string | undefined;
}

/**
 * The open agent PRs of an owner, or of one repository, of any campaign, oldest PR number first: runs in a state
 * that has not ended (DONE, SKIPPED and FAILED_TERMINAL have) with `pr_number` set, whose PR the store does not know
 * to be closed: neither `pr_activity` (closed_at, merged_at) nor a `github.pull_request.closed` event for that PR
 * number (applied, or held while the run waited for a human) says so. A run whose PR was closed unmerged waits in
 * NEEDS_HUMAN_REVIEW, and no longer counts.
 *
 * @example
 * const open = await openAgentPrs(db, { owner: 'o', repo: 'r', excludeRunId: 'run_1' }); // [{ run_id, pr_number: 12, … }]
 */
export async function openAgentPrs(db: Db, filter: OpenAgentPrFilter): Promise<OpenAgentPrRow[]> {
  let query = db
    .selectFrom('runs as r')
    .innerJoin('run_states as s', 's.run_id', 'r.run_id')
    .leftJoin('pr_activity as a', (join) => join.onRef('a.run_id', '=', 'r.run_id').onRef('a.pr_number', '=', 'r.pr_number'))
    .select(['r.run_id', 'r.owner', 'r.repo', 'r.pr_number', 'r.campaign'])
    .where('r.owner_key', '=', filter.owner.toLowerCase())
    .where('r.pr_number', 'is not', null)
    // Literal, not bound, so SQLite can use the partial index on non-terminal runs.
    .where(sql<boolean>`s.current_state not in ('DONE', 'SKIPPED', 'FAILED_TERMINAL')`)
    .where('a.closed_at', 'is', null)
    .where('a.merged_at', 'is', null);
  if (filter.repo !== undefined) query = query.where('r.repo_key', '=', filter.repo.toLowerCase());
  if (filter.excludeRunId !== undefined) query = query.where('r.run_id', '!=', filter.excludeRunId);
  const rows = (await query.orderBy('r.pr_number', 'asc').orderBy('r.run_id', 'asc').execute()).map((row) => ({ ...row, pr_number: Number(row.pr_number) }));
  if (rows.length === 0) return [];
  const closes = await db
    .selectFrom('events')
    .select(['run_id', 'payload_json'])
    .where('run_id', 'in', rows.map((row) => row.run_id))
    .where('event_type', '=', 'github.pull_request.closed')
    .execute();
  const closed = new Set(closes.map((close) => `${close.run_id}#${closedPrNumber(close.payload_json)}`));
  return rows.filter((row) => !closed.has(`${row.run_id}#${row.pr_number}`));
}

function closedPrNumber(payload: string): number | null {
  try {
    const value = (JSON.parse(payload) as { pr_number?: unknown }).pr_number;
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}

/**
 * When a campaign's PRs were opened (`pr_activity.opened_at`) after `since` (ISO 8601, exclusive), oldest first.
 * `campaign` null counts the PRs of runs created without a campaign.
 *
 * @example
 * const openings = await prOpeningsSince(db, { campaign: 'example', since: iso(new Date(now.getTime() - 86_400_000)) });
 */
export async function prOpeningsSince(db: Db, filter: { campaign: string | null; since: string }): Promise<string[]> {
  let query = db.selectFrom('pr_activity').select('opened_at').where('opened_at', '>', filter.since);
  query = filter.campaign === null ? query.where('campaign', 'is', null) : query.where('campaign', '=', filter.campaign);
  const rows = await query.orderBy('opened_at', 'asc').execute();
  return rows.map((row) => row.opened_at);
}

/** A gate verdict recorded for some run of a repository (see {@link recentRepoGateChecks}). */
export interface RepoGateCheck {
  run_id: string;
  detail_json: string;
  created_at: string;
}

/**
 * The newest verdicts of one gate recorded for any run of a repository since `since` (ISO 8601, inclusive), newest
 * first, at most `limit` (default 20): what an earlier check learned about the repository, to reuse instead of
 * asking GitHub again.
 */
export async function recentRepoGateChecks(
  db: Db,
  filter: { owner: string; repo: string; gate: string; since: string; limit?: number },
): Promise<RepoGateCheck[]> {
  return db
    .selectFrom('run_gate_checks as g')
    .innerJoin('runs as r', 'r.run_id', 'g.run_id')
    .select(['g.run_id', 'g.detail_json', 'g.created_at'])
    .where('r.owner_key', '=', filter.owner.toLowerCase())
    .where('r.repo_key', '=', filter.repo.toLowerCase())
    .where('g.gate', '=', filter.gate)
    .where('g.created_at', '>=', filter.since)
    .orderBy('g.created_at', 'desc')
    .orderBy('g.id', 'desc')
    .limit(filter.limit ?? 20)
    .execute();
}
