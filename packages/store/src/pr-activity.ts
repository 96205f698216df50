import { sql } from 'kysely';
import type { Db, PrActivityRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

// A run's PR as maintainers see it (`pr_activity`): opened, first maintainer response, last maintainer activity, the
// one follow-up, closed or merged, and why it was rejected. The stale follow-up (orchestrator, pr-followup.ts) writes
// it; the funnel and the PR limits read it.

/** Which PR of which run a write is about: a run whose PR was replaced by another one is not touched by a late write. */
export interface PrKey {
  runId: string;
  prNumber: number;
}

/** The opening of a run's PR, as {@link recordPrOpened} records it. */
export interface PrOpened extends PrKey {
  owner: string;
  repo: string;
  campaign: string | null;
  prUrl: string | null;
  /** When GitHub opened the PR (ISO 8601). */
  openedAt: string;
}

/** The longest rejection evidence kept (the caller quotes hostile text; this is the store's own cap). */
export const REJECTION_EVIDENCE_MAX = 1000;

/**
 * Records that a run's PR is open: one row per run, so calling it again for the same PR changes nothing but a
 * missing URL (idempotent), and calling it for another PR of the run starts the row afresh for that PR.
 *
 * @example
 * await recordPrOpened(db, { runId, owner: 'acme', repo: 'widgets', campaign: 'renovate', prNumber: 7, prUrl, openedAt: iso(now) });
 */
export async function recordPrOpened(db: Db, opened: PrOpened, clock: Clock = systemClock): Promise<PrActivityRow> {
  const now = iso(clock());
  const fresh = {
    owner_key: opened.owner.toLowerCase(),
    repo_key: opened.repo.toLowerCase(),
    campaign: opened.campaign,
    pr_number: opened.prNumber,
    pr_url: opened.prUrl,
    opened_at: opened.openedAt,
    first_response_at: null,
    last_maintainer_activity_at: null,
    followup_at: null,
    followup_comment_id: null,
    closed_at: null,
    merged_at: null,
    stale_closed_at: null,
    rejection_category: null,
    rejection_evidence: null,
    checked_at: null,
    updated_at: now,
  };
  await db.insertInto('pr_activity').values({ run_id: opened.runId, ...fresh }).onConflict((oc) => oc.column('run_id').doNothing()).execute();
  await db.updateTable('pr_activity').set(fresh).where('run_id', '=', opened.runId).where('pr_number', '<>', opened.prNumber).execute();
  if (opened.prUrl !== null) {
    await db.updateTable('pr_activity').set({ pr_url: opened.prUrl, updated_at: now }).where('run_id', '=', opened.runId).where('pr_url', 'is', null).execute();
  }
  return (await getPrActivity(db, opened.runId))!;
}

/** The run's PR activity row, or undefined when none was recorded. */
export async function getPrActivity(db: Db, runId: string): Promise<PrActivityRow | undefined> {
  const row = await db.selectFrom('pr_activity').selectAll().where('run_id', '=', runId).executeTakeFirst();
  return row ? { ...row, pr_number: Number(row.pr_number) } : undefined;
}

type Patch = Partial<Omit<PrActivityRow, 'run_id' | 'pr_number'>>;

async function update(db: Db, key: PrKey, patch: Patch, onlyWhereNull?: 'followup_at' | 'stale_closed_at' | 'merged_at' | 'closed_at'): Promise<boolean> {
  let query = db.updateTable('pr_activity').set(patch).where('run_id', '=', key.runId).where('pr_number', '=', key.prNumber);
  if (onlyWhereNull) query = query.where(onlyWhereNull, 'is', null);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** What one look at the PR found: maintainer responses (ISO 8601, null when none) and when it looked. */
export interface PrResponses {
  firstResponseAt: string | null;
  lastMaintainerActivityAt: string | null;
  checkedAt: string;
}

/**
 * Stores what a look at the PR found: `first_response_at` only moves earlier, `last_maintainer_activity_at` only
 * later (a look that sees less, e.g. a deleted comment, never forgets a response), and `checked_at` is the look.
 */
export async function notePrChecked(db: Db, key: PrKey, found: PrResponses, clock: Clock = systemClock): Promise<void> {
  const row = await getPrActivity(db, key.runId);
  if (!row || row.pr_number !== key.prNumber) return;
  const earliest = [row.first_response_at, found.firstResponseAt].filter((t): t is string => t !== null).sort()[0] ?? null;
  const latest = [row.last_maintainer_activity_at, found.lastMaintainerActivityAt].filter((t): t is string => t !== null).sort().at(-1) ?? null;
  await update(db, key, { first_response_at: earliest, last_maintainer_activity_at: latest, checked_at: found.checkedAt, updated_at: iso(clock()) });
}

/**
 * Claims the run's one follow-up before it is posted: sets `followup_at` only where none is set, so of two sweeps
 * at most one claims it. True when this call claimed it. A claim without a comment id afterwards means a crash
 * between claiming and recording: look for the comment before posting (never two follow-ups).
 */
export async function claimFollowup(db: Db, key: PrKey, at: string, clock: Clock = systemClock): Promise<boolean> {
  return update(db, key, { followup_at: at, updated_at: iso(clock()) }, 'followup_at');
}

/** Records the id of the posted follow-up comment (after {@link claimFollowup}). */
export async function recordFollowupComment(db: Db, key: PrKey, commentId: string, clock: Clock = systemClock): Promise<void> {
  await update(db, key, { followup_comment_id: commentId, updated_at: iso(clock()) });
}

/**
 * Claims the stale close before the thank-you is posted and the PR closed: sets `stale_closed_at` only where none
 * is set. True when this call claimed it. A claim with the PR still open afterwards means a crash in between.
 */
export async function claimStaleClose(db: Db, key: PrKey, at: string, clock: Clock = systemClock): Promise<boolean> {
  return update(db, key, { stale_closed_at: at, updated_at: iso(clock()) }, 'stale_closed_at');
}

/** Records the PR's merge (the first time only). */
export async function markPrMerged(db: Db, key: PrKey, at: string, clock: Clock = systemClock): Promise<void> {
  await update(db, key, { merged_at: at, updated_at: iso(clock()) }, 'merged_at');
}

/** Records the PR's close without merge (the first time only). */
export async function markPrClosed(db: Db, key: PrKey, at: string, clock: Clock = systemClock): Promise<void> {
  await update(db, key, { closed_at: at, updated_at: iso(clock()) }, 'closed_at');
}

/** Why maintainers closed the PR: a category of `@agentpr/citizenship`'s `classifyRejection` and its evidence (capped). */
export async function recordRejection(db: Db, key: PrKey, rejection: { category: string; evidence: string }, clock: Clock = systemClock): Promise<void> {
  const evidence = rejection.evidence.slice(0, REJECTION_EVIDENCE_MAX);
  await update(db, key, { rejection_category: rejection.category, rejection_evidence: evidence, updated_at: iso(clock()) });
}

/** A PR the sweep looks at: its activity row with the run's owner, repository (as written) and current state. */
export interface PrSweepRow extends PrActivityRow {
  owner: string;
  repo: string;
  current_state: string;
}

/**
 * The PRs the sweep looks at, least recently checked first: open ones (neither merged nor closed) and closed ones
 * whose rejection is not classified yet; with `checkedBefore`, only those not checked since then (the throttle).
 */
export async function listPrActivity(db: Db, filter: { limit: number; checkedBefore?: string | undefined }): Promise<PrSweepRow[]> {
  let query = db
    .selectFrom('pr_activity as pa')
    .innerJoin('runs as r', 'r.run_id', 'pa.run_id')
    .innerJoin('run_states as s', 's.run_id', 'pa.run_id')
    .selectAll('pa')
    .select(['r.owner', 'r.repo', 's.current_state'])
    .where('pa.merged_at', 'is', null)
    .where((eb) => eb.or([eb('pa.closed_at', 'is', null), eb('pa.rejection_category', 'is', null)]));
  const cutoff = filter.checkedBefore;
  if (cutoff !== undefined) query = query.where((eb) => eb.or([eb('pa.checked_at', 'is', null), eb('pa.checked_at', '<=', cutoff)]));
  const rows = await query.orderBy(sql`coalesce(pa.checked_at, '')`).orderBy('pa.run_id').limit(filter.limit).execute();
  return rows.map((row) => ({ ...row, pr_number: Number(row.pr_number) }));
}

/** A run that has a PR but no activity row for it (a PR linked by hand with `link-pr`). */
export interface UnrecordedPr {
  run_id: string;
  owner: string;
  repo: string;
  campaign: string | null;
  pr_number: number;
}

/**
 * Runs that have not ended, with a PR and no activity row for that PR (linked by hand, or before the table
 * existed), oldest first; the sweep backfills them. The cost follows the active runs (partial index).
 */
export async function runsWithUnrecordedPr(db: Db, limit: number): Promise<UnrecordedPr[]> {
  const rows = await db
    .selectFrom('runs as r')
    .innerJoin('run_states as s', 's.run_id', 'r.run_id')
    .leftJoin('pr_activity as pa', 'pa.run_id', 'r.run_id')
    .select(['r.run_id', 'r.owner', 'r.repo', 'r.campaign', 'r.pr_number'])
    // Literal, not bound, so SQLite can use the partial index on non-terminal runs.
    .where(sql<boolean>`s.current_state not in ('DONE', 'SKIPPED', 'FAILED_TERMINAL')`)
    .where('r.pr_number', 'is not', null)
    .where((eb) => eb.or([eb('pa.run_id', 'is', null), eb('pa.pr_number', '<>', eb.ref('r.pr_number'))]))
    .orderBy('s.updated_at')
    .orderBy('r.run_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ run_id: row.run_id, owner: row.owner, repo: row.repo, campaign: row.campaign, pr_number: Number(row.pr_number) }));
}
