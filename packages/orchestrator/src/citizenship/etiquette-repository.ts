import { fetchRepositoryFacts, repositoryStanding, type RepositoryFacts, type RepositoryStanding } from '@agentpr/citizenship';
import { iso, recentRepoGateChecks } from '@agentpr/store';
import * as v from 'valibot';
import type { AppContext } from '../context.js';
import { NO_GITHUB_TOKEN } from '../github-sync/require-github.js';
import { redactorFor } from '../secrets/redactor-for.js';
import type { GateTarget, GateVerdict } from './gate-types.js';

/**
 * How long a repository's facts (archived, activity) are reused before GitHub is asked again: the manager checks
 * every tick, and neither fact changes by the minute.
 */
export const REPOSITORY_FACTS_TTL_HOURS = 6;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_ERROR_CHARS = 200;

/** What the repository half of the etiquette found: not needed, not on GitHub, the facts, or a verdict that stops the run. */
export type RepositoryCheck =
  | { kind: 'not_needed' }
  | { kind: 'not_on_github'; reason: string }
  | { kind: 'checked'; facts: RepositoryFacts; standing: RepositoryStanding; reusedFrom: string | null }
  | { kind: 'stopped'; verdict: GateVerdict };

/** The facts as stored in a verdict's detail (`detail.repository.facts`), snake_case like the rest of the detail. */
const storedFactsSchema = v.object({
  archived: v.boolean(),
  default_branch: v.string(),
  last_commit_at: v.nullable(v.string()),
  last_merged_pr_at: v.nullable(v.string()),
  last_maintainer_comment_at: v.nullable(v.string()),
  activity_checked: v.boolean(),
  fetched_at: v.string(),
});
const storedDetailSchema = v.object({ repository: v.object({ facts: storedFactsSchema }) });

/** The facts in the JSON-safe, snake_case shape a verdict's detail records (and {@link reusableFacts} reads back). */
export function storedFacts(facts: RepositoryFacts): v.InferOutput<typeof storedFactsSchema> {
  return {
    archived: facts.archived,
    default_branch: facts.defaultBranch,
    last_commit_at: facts.lastCommitAt,
    last_merged_pr_at: facts.lastMergedPrAt,
    last_maintainer_comment_at: facts.lastMaintainerCommentAt,
    activity_checked: facts.activityChecked,
    fetched_at: facts.fetchedAt,
  };
}

/**
 * The newest facts an etiquette check of any run of the repository recorded, fetched from GitHub less than
 * {@link REPOSITORY_FACTS_TTL_HOURS} ago (and with the activity when it is needed); undefined when none.
 */
async function reusableFacts(ctx: AppContext, target: GateTarget, needActivity: boolean): Promise<{ facts: RepositoryFacts; reusedFrom: string } | undefined> {
  const since = iso(new Date(target.now.getTime() - REPOSITORY_FACTS_TTL_HOURS * HOUR_MS));
  const rows = await recentRepoGateChecks(ctx.db, { owner: target.run.owner, repo: target.run.repo, gate: 'etiquette', since });
  for (const row of rows) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.detail_json);
    } catch {
      continue;
    }
    const stored = v.safeParse(storedDetailSchema, parsed);
    if (!stored.success) continue;
    const f = stored.output.repository.facts;
    if (!(f.fetched_at >= since) || (needActivity && !f.activity_checked)) continue;
    return {
      reusedFrom: row.run_id,
      facts: {
        archived: f.archived, defaultBranch: f.default_branch, lastCommitAt: f.last_commit_at, lastMergedPrAt: f.last_merged_pr_at,
        lastMaintainerCommentAt: f.last_maintainer_comment_at, activityChecked: f.activity_checked, fetchedAt: f.fetched_at,
      },
    };
  }
  return undefined;
}

function held(reasonCode: string, message: string, detail: Record<string, unknown>): RepositoryCheck {
  return { kind: 'stopped', verdict: { gate: 'etiquette', outcome: 'held', reasonCode, message, detail, freesAt: null } };
}

/** `2026-11-20` of an ISO date. */
const day = (value: string | null) => (value === null ? 'none' : value.slice(0, 10));

function skipVerdict(target: GateTarget, facts: RepositoryFacts, standing: RepositoryStanding, reusedFrom: string | null): GateVerdict | null {
  const where = `${target.run.owner}/${target.run.repo}`;
  const detail = { repository: { status: 'checked', facts: storedFacts(facts), reused_from_run: reusedFrom } };
  switch (standing.kind) {
    case 'active':
      return null;
    case 'archived':
      return { gate: 'etiquette', outcome: 'skip_run', reasonCode: 'repo_archived', message: `skipped: ${where} is archived on GitHub`, detail };
    case 'inactive': {
      const quiet = standing.newestActivityAt === null
        ? 'no commit, merged PR or maintainer comment found'
        : `no maintainer activity for ${Math.floor((target.now.getTime() - Date.parse(standing.newestActivityAt)) / DAY_MS)} days`;
      const evidence = `newest commit ${day(facts.lastCommitAt)}, merged PR ${day(facts.lastMergedPrAt)}, maintainer comment ${day(facts.lastMaintainerCommentAt)}`;
      return {
        gate: 'etiquette', outcome: 'skip_run', reasonCode: 'repo_inactive',
        message: `skipped: ${where} looks inactive: ${quiet} (${evidence}; limit ${standing.maxInactiveDays} days)`,
        detail: { ...detail, newest_activity_at: standing.newestActivityAt, max_inactive_days: standing.maxInactiveDays },
      };
    }
    default: {
      const never: never = standing;
      return never;
    }
  }
}

/**
 * The repository half of the etiquette, at every phase: is the repository archived (and archived ones skipped), has
 * a maintainer shown activity within `max_inactive_days`. Facts come from an earlier check of the repository when
 * fresh enough, else from GitHub. Not on GitHub: nothing to ask. No token, or GitHub failing: held (fail closed),
 * with what to do.
 */
export async function checkRepository(ctx: AppContext, target: GateTarget): Promise<RepositoryCheck> {
  const { skip_archived: skipArchived, max_inactive_days: maxInactiveDays } = target.rules.etiquette;
  if (!skipArchived && maxInactiveDays === 0) return { kind: 'not_needed' };
  if (target.notOnGitHub !== null) return { kind: 'not_on_github', reason: target.notOnGitHub };
  const where = `${target.run.owner}/${target.run.repo}`;
  const needActivity = maxInactiveDays > 0;
  const reused = await reusableFacts(ctx, target, needActivity);
  let facts = reused?.facts;
  if (!facts) {
    if (!target.github) {
      return held('github_token_missing', `held: cannot check whether ${where} is archived or inactive: ${NO_GITHUB_TOKEN}`, { repository: { status: 'no_token' } });
    }
    try {
      facts = await fetchRepositoryFacts(target.github, { owner: target.run.owner, repo: target.run.repo }, { activity: needActivity, now: target.now });
    } catch (error) {
      const why = redactorFor(ctx).redact((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, MAX_ERROR_CHARS);
      return held('github_unavailable', `held: cannot read ${where} from GitHub (${why}); try again later`, { repository: { status: 'github_failed', error: why } });
    }
  }
  const reusedFrom = reused?.reusedFrom ?? null;
  const standing = repositoryStanding(facts, { skipArchived, maxInactiveDays }, target.now);
  const skip = skipVerdict(target, facts, standing, reusedFrom);
  return skip ? { kind: 'stopped', verdict: skip } : { kind: 'checked', facts, standing, reusedFrom };
}
