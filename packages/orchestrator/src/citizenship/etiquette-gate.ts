import {
  describeSchedule,
  formatUtc,
  formatZoned,
  latestToFree,
  limitState,
  scheduleState,
  type LimitHold,
  type LimitName,
  type OpenAgentPr,
} from '@agentpr/citizenship';
import { iso, openAgentPrs, prOpeningsSince, type OpenAgentPrRow } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { checkRepository, storedFacts, type RepositoryCheck } from './etiquette-repository.js';
import type { GateRequest, GateTarget, GateVerdict } from './gate-types.js';

const DAY_MS = 86_400_000;
const OVERRIDE_HINT = '(--ignore-limits to override, audited)';

/** What holds a PR back now: a PR limit, or the schedule window (`schedule`). */
interface TimingHold {
  limit: LimitName | 'schedule';
  freesAt: Date | null;
  message: string;
  detail: Record<string, unknown>;
}

const reasonOf = (hold: TimingHold) => (hold.limit === 'schedule' ? 'outside_schedule' : `limit_${hold.limit}`);

function openPr(row: OpenAgentPrRow): OpenAgentPr {
  return { runId: row.run_id, owner: row.owner, repo: row.repo, prNumber: row.pr_number };
}

function limitDetail(hold: LimitHold): Record<string, unknown> {
  return {
    limit: hold.limit, count: hold.count, max: hold.max, frees_at: hold.freesAt?.toISOString() ?? null,
    ...(hold.prs ? { prs: hold.prs.map((p) => ({ run_id: p.runId, repo: `${p.owner}/${p.repo}`, pr_number: p.prNumber })) } : {}),
  };
}

/** The PR limits that hold now, counted from the store (only the limits that are set are counted). */
async function limitHolds(ctx: AppContext, target: GateTarget): Promise<TimingHold[]> {
  const { run, rules, now } = target;
  const limits = rules.etiquette;
  const none: OpenAgentPrRow[] = [];
  const openInRepo = limits.max_open_prs_per_repo > 0 ? await openAgentPrs(ctx.db, { owner: run.owner, repo: run.repo, excludeRunId: run.run_id }) : none;
  const openForOwner = limits.max_open_prs_per_owner > 0 ? await openAgentPrs(ctx.db, { owner: run.owner, excludeRunId: run.run_id }) : none;
  const rated = limits.max_prs_per_hour > 0 || limits.max_prs_per_day > 0;
  const openings = rated ? await prOpeningsSince(ctx.db, { campaign: run.campaign, since: iso(new Date(now.getTime() - DAY_MS)) }) : [];
  const state = limitState({
    limits, campaign: rules.campaign, owner: run.owner, repo: run.repo, now,
    openInRepo: openInRepo.map(openPr), openForOwner: openForOwner.map(openPr), openings: openings.map((at) => new Date(at)),
  });
  return state.holds.map((hold) => ({ limit: hold.limit, freesAt: hold.freesAt, message: hold.message, detail: limitDetail(hold) }));
}

/** The schedule window, when it is closed now. */
function scheduleHold(target: GateTarget): TimingHold | null {
  const schedule = target.rules.etiquette.schedule;
  const state = scheduleState(schedule, target.now);
  if (state.open) return null;
  const zone = schedule.time_zone;
  const opens = state.nextOpenAt;
  const when = opens ? `opens at ${formatZoned(opens, zone)}${zone === 'UTC' ? '' : ` (${formatUtc(opens, target.now)})`}` : 'no window opens in the next week';
  return {
    limit: 'schedule',
    freesAt: opens,
    message: `outside the schedule window (${describeSchedule(schedule)}); ${when}`,
    detail: { limit: 'schedule', time_zone: zone, windows: schedule.windows, frees_at: opens?.toISOString() ?? null },
  };
}

function repositoryDetail(repo: RepositoryCheck): Record<string, unknown> {
  switch (repo.kind) {
    case 'not_needed':
      return { status: 'not_checked', why: 'skip_archived is off and max_inactive_days is 0' };
    case 'not_on_github':
      return { status: 'not_on_github', why: repo.reason };
    case 'checked':
      return { status: 'checked', facts: storedFacts(repo.facts), reused_from_run: repo.reusedFrom, newest_activity_at: repo.standing.kind === 'active' ? repo.standing.newestActivityAt : null };
    case 'stopped':
      return { status: 'stopped' };
    default: {
      const never: never = repo;
      return never;
    }
  }
}

function repositoryLine(target: GateTarget, repo: RepositoryCheck): string {
  const where = `${target.run.owner}/${target.run.repo}`;
  if (repo.kind === 'not_on_github') return `not on GitHub (${repo.reason}): archived and activity not checked`;
  if (repo.kind === 'checked') return `${where} is ${repo.facts.archived ? 'archived (allowed by the policy)' : 'not archived'} and active`;
  return `${where}: archived and activity not checked (off in the policy)`;
}

function heldVerdict(binding: TimingHold, holds: TimingHold[], request: GateRequest, detail: Record<string, unknown>): GateVerdict {
  const others = holds.filter((h) => h !== binding).map(reasonOf);
  const also = others.length > 0 ? `; also held by ${others.join(', ')}` : '';
  const holdsDetail = holds.map((h) => h.detail);
  if (request.ignoreLimits) {
    return {
      gate: 'etiquette', outcome: 'overridden', reasonCode: 'limits_ignored',
      message: `overridden with --ignore-limits (audited): ${binding.message}${also}`,
      detail: { ...detail, overridden: holds.map(reasonOf), holds: holdsDetail },
    };
  }
  return {
    gate: 'etiquette', outcome: 'held', reasonCode: reasonOf(binding),
    message: `held: ${binding.message}${also} ${OVERRIDE_HINT}`,
    detail: { ...detail, holds: holdsDetail },
    freesAt: binding.freesAt?.toISOString() ?? null,
  };
}

/**
 * The etiquette gate. At every phase: a repository that is archived or shows no maintainer activity for
 * `max_inactive_days` ends the run as SKIPPED (`repo_archived`, `repo_inactive`, with the dates as evidence). When a
 * PR is requested or approved: the schedule window and the four PR limits hold it back (`outside_schedule`,
 * `limit_<name>`, with when it frees), unless `--ignore-limits` overrides them (audited by checkRunGates). A run whose
 * upstream is not on GitHub passes the repository checks (`not_on_github`); the limits and the window still apply.
 *
 * @example
 * const verdict = await checkEtiquette(ctx, target, { runId, phase: 'pr_request' });
 * // → { outcome: 'held', reasonCode: 'limit_max_prs_per_hour', freesAt: '2026-11-23T14:05:00.000Z', message: 'held: 2 PRs opened …' }
 */
export async function checkEtiquette(ctx: AppContext, target: GateTarget, request: GateRequest): Promise<GateVerdict> {
  const repo = await checkRepository(ctx, target);
  if (repo.kind === 'stopped') return repo.verdict;
  const detail: Record<string, unknown> = { repository: repositoryDetail(repo) };
  const reasonCode = repo.kind === 'not_on_github' ? 'not_on_github' : null;
  const line = repositoryLine(target, repo);
  if (request.phase === 'prepare') return { gate: 'etiquette', outcome: 'pass', reasonCode, message: line, detail };
  const window = scheduleHold(target);
  const holds = [...(window ? [window] : []), ...(await limitHolds(ctx, target))];
  const binding = latestToFree(holds);
  if (binding) return heldVerdict(binding, holds, request, detail);
  return { gate: 'etiquette', outcome: 'pass', reasonCode, message: `${line}; within the PR limits and the schedule`, detail };
}
