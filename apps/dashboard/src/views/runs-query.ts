import * as v from 'valibot';
import { RUN_STATES, type RunState } from '@agentpr/state-machine';
import { CAMPAIGN_NAME_MAX_LENGTH, type RunPageQuery, type RunSort } from '@agentpr/store';
import { PageError } from '../page.js';
import { isGitHubName } from './run-text.js';

/** The orders the runs page offers, in the order its form lists them. */
export const RUN_SORTS: readonly RunSort[] = ['updated', 'created', 'repo', 'state'];
/** The latest-verdict filters: a grade, or `none` for runs without a graded attempt. */
export const VERDICT_FILTERS = ['PASS', 'RETRYABLE', 'HUMAN_REVIEW', 'none'] as const;
/** One of {@link VERDICT_FILTERS}. */
export type VerdictFilter = (typeof VERDICT_FILTERS)[number];

/** Runs per page unless `limit` says otherwise (1..200). */
export const DEFAULT_RUNS_PER_PAGE = 50;

/** The runs page's filters as the form shows them back (strings as typed, empty when not set). */
export interface RunsFilter {
  states: RunState[];
  /** `owner` or `owner/repo`, as typed. */
  repo: string;
  campaign: string;
  verdict: VerdictFilter | '';
  sort: RunSort;
  direction: 'asc' | 'desc';
  limit: number;
  cursor: string;
}

const oneOf = <T extends string>(name: string, values: readonly T[]) =>
  v.picklist(values, (issue) => `${name}: "${String(issue.input).slice(0, 40)}" is not one of ${values.join(', ')}`);

const RepoSchema = v.pipe(
  v.string(),
  v.maxLength(140, 'repo: at most 140 characters (owner/repo)'),
  v.check((s) => {
    const [owner, repo, ...rest] = s.split('/');
    return rest.length === 0 && isGitHubName(owner ?? '', 39) && (repo === undefined || isGitHubName(repo, 100));
  }, 'repo: give an owner or owner/repo (letters, digits, _ . -)'),
);

const QuerySchema = v.object({
  state: v.array(oneOf('state', RUN_STATES)),
  repo: v.optional(RepoSchema),
  campaign: v.optional(v.pipe(v.string(), v.maxLength(CAMPAIGN_NAME_MAX_LENGTH, `campaign: at most ${CAMPAIGN_NAME_MAX_LENGTH} characters`))),
  verdict: v.optional(oneOf('verdict', VERDICT_FILTERS)),
  sort: v.optional(oneOf('sort', RUN_SORTS), 'updated'),
  dir: v.optional(oneOf('dir', ['asc', 'desc'] as const)),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, 'limit: a whole number from 1 to 200'),
      v.transform(Number),
      v.number(),
      v.minValue(1, 'limit: a whole number from 1 to 200'),
      v.maxValue(200, 'limit: a whole number from 1 to 200'),
    ),
    String(DEFAULT_RUNS_PER_PAGE),
  ),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(2048, 'cursor: too long; start again from the first page'), v.regex(/^[A-Za-z0-9_-]+$/, 'cursor: malformed; start again from the first page'))),
});

/** The single-valued parameters; a repeated one is a bad request. */
const SINGLE = ['repo', 'campaign', 'verdict', 'sort', 'dir', 'limit', 'cursor'] as const;

/**
 * The runs page's query string, validated at the edge: `state` (repeatable, any of the run states), `repo` (`owner`
 * or `owner/repo`), `campaign`, `verdict` (PASS, RETRYABLE, HUMAN_REVIEW or none), `sort` (updated, created, repo,
 * state), `dir` (asc, desc; default desc for times, asc for names), `limit` (1..200) and `cursor` (the next page's).
 * Empty values are unset (a form without JavaScript sends them); unknown parameters are ignored. A bad value throws
 * `PageError('bad_request')` in one line that names the parameter.
 *
 * @example
 * parseRunsQuery(new URLSearchParams('state=PUSHED&repo=octo/hello&sort=repo')).query.owner // 'octo'
 */
export function parseRunsQuery(params: URLSearchParams): { query: RunPageQuery; filter: RunsFilter } {
  const input: Record<string, unknown> = { state: params.getAll('state').filter((s) => s !== '') };
  for (const name of SINGLE) {
    const values = params.getAll(name).filter((s) => s !== '');
    if (values.length > 1) throw new PageError('bad_request', `${name}: give it once, not ${values.length} times`);
    if (values.length === 1) input[name] = values[0];
  }
  const parsed = v.safeParse(QuerySchema, input);
  if (!parsed.success) throw new PageError('bad_request', firstIssue(parsed.issues));
  const p = parsed.output;
  const [owner, repo] = p.repo ? p.repo.split('/') : [];
  const direction = p.dir ?? (p.sort === 'repo' || p.sort === 'state' ? 'asc' : 'desc');
  const states = [...new Set(p.state)];
  const query: RunPageQuery = {
    states: states.length ? states : undefined,
    owner,
    repo,
    campaign: p.campaign,
    verdict: p.verdict,
    sort: p.sort,
    direction,
    limit: p.limit,
    cursor: p.cursor,
  };
  const filter: RunsFilter = {
    states,
    repo: p.repo ?? '',
    campaign: p.campaign ?? '',
    verdict: p.verdict ?? '',
    sort: p.sort,
    direction,
    limit: p.limit,
    cursor: p.cursor ?? '',
  };
  return { query, filter };
}

/** The first issue's message, which names its parameter (the schema's messages start with it). */
function firstIssue(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0]!;
  const key = issue.path?.[0]?.key;
  const name = typeof key === 'string' ? key : 'query';
  return issue.message.startsWith(`${name}:`) ? issue.message : `${name}: ${issue.message}`;
}

/**
 * The query string of the runs page for `filter` with `cursor` (the next page's, or none for the first page): the
 * filters are kept, defaults left out, so a link reads like the form that made it.
 */
export function runsHref(filter: RunsFilter, cursor: string | null): string {
  const params = new URLSearchParams();
  for (const state of filter.states) params.append('state', state);
  if (filter.repo) params.set('repo', filter.repo);
  if (filter.campaign) params.set('campaign', filter.campaign);
  if (filter.verdict) params.set('verdict', filter.verdict);
  if (filter.sort !== 'updated') params.set('sort', filter.sort);
  params.set('dir', filter.direction);
  if (filter.limit !== DEFAULT_RUNS_PER_PAGE) params.set('limit', String(filter.limit));
  if (cursor) params.set('cursor', cursor);
  return `/?${params.toString()}`;
}
