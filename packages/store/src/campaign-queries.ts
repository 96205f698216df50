import { sql } from 'kysely';
import type { Db } from './schema.js';

// What `campaign-report`, show-run and inspect-run read about a campaign's runs: how far each run got, its PR as
// maintainers saw it (`pr_activity`), and the tokens its agent attempts used, per engine and model (cost is priced
// when read, from the policy's price table).

/** Which runs a campaign query covers: one campaign (its name exactly as stored) or all, created at or after `since`. */
export interface CampaignFilter {
  /** The stored campaign name (see {@link campaignNames}); undefined = every run, with or without a campaign. */
  campaign?: string | undefined;
  /** With `campaign`: also the runs created without a campaign (they belong to the `default` campaign). */
  includeUnnamed?: boolean | undefined;
  /** ISO 8601: only runs created at or after it. */
  since?: string | undefined;
}

/** One run of a campaign, with how far it got and its PR's life (null fields when it has no `pr_activity` row). */
export interface CampaignRunFacts {
  run_id: string;
  owner: string;
  repo: string;
  campaign: string | null;
  created_at: string;
  current_state: string;
  last_error: string | null;
  /** A `prepare` step succeeded (the workspace was cloned and branched). */
  prepared: boolean;
  /** A `worker.push.completed` event was applied (the branch reached the fork). */
  pushed: boolean;
  pr_number: number | null;
  opened_at: string | null;
  first_response_at: string | null;
  merged_at: string | null;
  closed_at: string | null;
  stale_closed_at: string | null;
  rejection_category: string | null;
}

/** Token sums of a group of agent attempts (one run, engine and model); null sums when none of them reported usage. */
export interface UsageSums {
  engine: string | null;
  model: string | null;
  /** Agent attempts in the group. */
  attempts: number;
  /** Attempts of the group that recorded any token usage. */
  reported: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

/** {@link UsageSums} of one run. */
export interface RunUsageSums extends UsageSums {
  run_id: string;
}

/** SQLite answers `exists` with 0/1, PostgreSQL with a boolean. */
const truthy = (value: unknown): boolean => value === true || Number(value) === 1;
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** `r.campaign = name`, or also null when the runs without a campaign count (the `default` campaign). */
function campaignIs(name: string, orNull: boolean) {
  return orNull ? sql<boolean>`(r.campaign = ${name} or r.campaign is null)` : sql<boolean>`r.campaign = ${name}`;
}

/**
 * The distinct campaign names runs were created under, with how many runs each has (null = runs created without a
 * campaign), most runs first.
 */
export async function campaignNames(db: Db): Promise<Array<{ campaign: string | null; runs: number }>> {
  const rows = await db.selectFrom('runs').select(['campaign', sql<number>`count(*)`.as('runs')]).groupBy('campaign').execute();
  return rows
    .map((r) => ({ campaign: r.campaign, runs: Number(r.runs) }))
    .sort((a, b) => b.runs - a.runs || String(a.campaign).localeCompare(String(b.campaign)));
}

/**
 * Every run of the filter with the facts the funnel needs: whether it was prepared and pushed, and its PR activity.
 * Oldest run first.
 *
 * @example
 * const runs = await campaignRunFacts(db, { campaign: 'acme-sdk', since: '2026-12-01T00:00:00.000Z' });
 */
export async function campaignRunFacts(db: Db, filter: CampaignFilter): Promise<CampaignRunFacts[]> {
  let query = db
    .selectFrom('runs as r')
    .innerJoin('run_states as s', 's.run_id', 'r.run_id')
    .leftJoin('pr_activity as a', 'a.run_id', 'r.run_id')
    .select((eb) => [
      'r.run_id',
      'r.owner',
      'r.repo',
      'r.campaign',
      'r.created_at',
      's.current_state',
      's.last_error',
      'a.pr_number',
      'a.opened_at',
      'a.first_response_at',
      'a.merged_at',
      'a.closed_at',
      'a.stale_closed_at',
      'a.rejection_category',
      eb
        .exists(eb.selectFrom('step_attempts as t').select(sql`1`.as('one')).whereRef('t.run_id', '=', 'r.run_id').where('t.step', '=', 'prepare').where('t.exit_code', '=', 0))
        .as('prepared'),
      eb
        .exists(eb.selectFrom('events as e').select(sql`1`.as('one')).whereRef('e.run_id', '=', 'r.run_id').where('e.event_type', '=', 'worker.push.completed').where('e.applied', '=', 1))
        .as('pushed'),
    ]);
  if (filter.campaign !== undefined) query = query.where(campaignIs(filter.campaign, filter.includeUnnamed === true));
  if (filter.since !== undefined) query = query.where('r.created_at', '>=', filter.since);
  const rows = await query.orderBy('r.created_at', 'asc').orderBy('r.run_id', 'asc').execute();
  return rows.map((r) => ({
    ...r,
    pr_number: r.pr_number === null || r.pr_number === undefined ? null : Number(r.pr_number),
    opened_at: r.opened_at ?? null,
    first_response_at: r.first_response_at ?? null,
    merged_at: r.merged_at ?? null,
    closed_at: r.closed_at ?? null,
    stale_closed_at: r.stale_closed_at ?? null,
    rejection_category: r.rejection_category ?? null,
    prepared: truthy(r.prepared),
    pushed: truthy(r.pushed),
  }));
}

/** Agent attempts: the `agent` step, and any step that recorded an engine (later engines). */
function agentAttempts(db: Db) {
  return db.selectFrom('step_attempts as t').where((eb) => eb.or([eb('t.step', '=', 'agent'), eb('t.engine', 'is not', null)]));
}

const sums = [
  sql<number>`count(*)`.as('attempts'),
  sql<number>`count(t.input_tokens)`.as('reported'),
  sql<number>`coalesce(sum(t.input_tokens), 0)`.as('input_tokens'),
  sql<number>`coalesce(sum(t.cached_input_tokens), 0)`.as('cached_input_tokens'),
  sql<number>`coalesce(sum(t.output_tokens), 0)`.as('output_tokens'),
  sql<number>`coalesce(sum(t.reasoning_tokens), 0)`.as('reasoning_tokens'),
] as const;

function usageSums(r: Record<string, unknown>): UsageSums {
  return {
    engine: (r.engine as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    attempts: num(r.attempts),
    reported: num(r.reported),
    input_tokens: num(r.input_tokens),
    cached_input_tokens: num(r.cached_input_tokens),
    output_tokens: num(r.output_tokens),
    reasoning_tokens: num(r.reasoning_tokens),
  };
}

/** The token sums of a run's agent attempts per engine and model (no rows when it made none). */
export async function runUsage(db: Db, runId: string): Promise<UsageSums[]> {
  const rows = await agentAttempts(db).select(['t.engine', 't.model', ...sums]).where('t.run_id', '=', runId).groupBy(['t.engine', 't.model']).execute();
  return rows.map((r) => usageSums(r));
}

/** The token sums of the filter's runs' agent attempts per run, engine and model; runs without attempts have no row. */
export async function campaignUsage(db: Db, filter: CampaignFilter): Promise<RunUsageSums[]> {
  let query = agentAttempts(db).innerJoin('runs as r', 'r.run_id', 't.run_id').select(['t.run_id', 't.engine', 't.model', ...sums]);
  if (filter.campaign !== undefined) query = query.where(campaignIs(filter.campaign, filter.includeUnnamed === true));
  if (filter.since !== undefined) query = query.where('r.created_at', '>=', filter.since);
  const rows = await query.groupBy(['t.run_id', 't.engine', 't.model']).orderBy('t.run_id').execute();
  return rows.map((r) => ({ run_id: r.run_id, ...usageSums(r) }));
}
