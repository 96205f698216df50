import * as v from 'valibot';
import { listRuns, type Db, type RunListFilter, type RunListItem } from '@agentpr/store';
import { RUN_STATES, type RunState } from '@agentpr/state-machine';
import { defineTool } from './define-tool.js';
import { limitArg, stateArg } from './tool-args.js';
import { ago, clip, plural } from './tool-data.js';

/** How many of the newest runs a repository substring is looked for in (the store indexes exact owner/repo only). */
export const SUBSTRING_SCAN = 1000;

const OWNER_REPO = /^([^/]+)\/([^/]+)$/;

const args = v.strictObject({
  state: v.optional(
    v.pipe(
      v.union([stateArg, v.pipe(v.array(stateArg), v.minLength(1), v.maxLength(RUN_STATES.length))], `must be a state or a list of states (${RUN_STATES.join(', ')})`),
      v.description('Only runs in this state, or in any of these states.'),
    ),
  ),
  repo: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_./-]{1,140}$/, 'must be owner/repo or a part of it (letters, digits, _ . - /)'),
      v.description('Only runs of this repository: "owner/repo" exactly (case-insensitive), or any part of "owner/repo" such as "mem0".'),
    ),
  ),
  limit: limitArg('runs', 20),
});

function item(run: RunListItem, now: Date) {
  return {
    run_id: run.run_id,
    repo: `${run.owner}/${run.repo}`,
    state: run.current_state,
    pr_number: run.pr_number,
    updated_at: run.updated_at,
    age: ago(run.updated_at, now),
    last_error: clip(run.last_error),
  };
}

async function find(db: Db, states: readonly RunState[] | undefined, repo: string | undefined, limit: number): Promise<RunListItem[]> {
  const exact = repo === undefined ? null : OWNER_REPO.exec(repo);
  if (repo === undefined || exact) {
    const filter: RunListFilter = { states, repo: exact ? { owner: exact[1]!, repo: exact[2]! } : undefined };
    return listRuns(db, { limit, ...filter });
  }
  const part = repo.toLowerCase();
  const newest = await listRuns(db, { limit: SUBSTRING_SCAN, states });
  return newest.filter((r) => `${r.owner}/${r.repo}`.toLowerCase().includes(part)).slice(0, limit);
}

/** `list_runs`: the most recently updated runs, narrowed by state and repository (as `agentpr list-runs`). */
export const listRunsTool = defineTool({
  name: 'list_runs',
  description:
    'List the most recently updated runs, newest first, optionally only those in some states or of one repository. ' +
    'Each run has its id, owner/repo, state, PR number, when it last changed and its last error.',
  tier: 'read',
  effect: 'read',
  args,
  async run(ctx, input) {
    const states = input.state === undefined ? undefined : typeof input.state === 'string' ? [input.state] : [...new Set(input.state)];
    const runs = await find(ctx.db, states, input.repo, input.limit ?? 20);
    const now = ctx.clock();
    const narrowed = [states ? states.join(' or ') : '', input.repo ? `repo ~ ${input.repo}` : ''].filter(Boolean).join(', ');
    return {
      data: {
        runs: runs.map((r) => item(r, now)),
        ...(input.repo !== undefined && !OWNER_REPO.test(input.repo) ? { repo_match: `part of owner/repo, among the ${SUBSTRING_SCAN} newest runs` } : {}),
      },
      summary: `${plural(runs.length, 'run')}${narrowed ? ` (${narrowed})` : ''}`,
    };
  },
});
