import { isAbsolute, relative, resolve, sep } from 'node:path';
import { runNotFound, StoreError } from './errors.js';
import { HOST_ID_PATTERN, holderOrigin, resolveHostId } from './host-id.js';
import type { RunWithState } from './runs.js';
import type { Db } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** The longest `workspace_rel` accepted: owner (39) + repo (100) + run id (128) and separators, with room to spare. */
export const WORKSPACE_REL_MAX_LENGTH = 512;

/** Where a run's workspace lives across hosts, as {@link getRunPlacement} reads it. */
export interface RunPlacement {
  /** Relative to any host's workspace root: `<owner>/<repo>/<run_id>`. */
  workspaceRel: string;
  /** The absolute path where the run was first created (display only: another host's root may differ). */
  workspaceDir: string;
  /** The host id that last held the workspace; null until one recorded it. */
  host: string | null;
  /** When `host` was recorded (ISO-8601). */
  hostAt: string | null;
}

/**
 * The workspace of a run relative to a workspace root, `<owner>/<repo>/<run_id>`: the same place `create-run`
 * resolves under its root. The names are validated by the caller (GitHub names, run ids); the result is checked.
 *
 * @example
 * workspaceRelFor('mem0ai', 'mem0', 'run_1'); // → 'mem0ai/mem0/run_1'
 */
export function workspaceRelFor(owner: string, repo: string, runId: string): string {
  return checkWorkspaceRel(`${owner}/${repo}/${runId}`);
}

/**
 * Returns `rel` when it is a relative path of `/`-separated segments with no empty, `.` or `..` segment, no
 * backslash or NUL, at most {@link WORKSPACE_REL_MAX_LENGTH} characters; otherwise throws `invalid_input`. Such a
 * path can only resolve inside the root it is placed under.
 */
export function checkWorkspaceRel(rel: string): string {
  const problem =
    rel.length === 0 ? 'is empty'
    : rel.length > WORKSPACE_REL_MAX_LENGTH ? `is longer than ${WORKSPACE_REL_MAX_LENGTH} characters`
    : rel.startsWith('/') || isAbsolute(rel) ? 'is absolute'
    : /[\\\0]/.test(rel) ? 'holds a backslash or NUL'
    : rel.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'has an empty, . or .. segment'
    : undefined;
  if (problem) {
    throw new StoreError('invalid_input', `workspace path ${JSON.stringify(rel.slice(0, 80))} ${problem}; it must be relative to the workspace root, as owner/repo/run_id.`);
  }
  return rel;
}

/**
 * The absolute workspace of a run on this host: `rel` (see {@link checkWorkspaceRel}) under this host's workspace
 * root. Throws `invalid_input` for a path that is not a clean relative one or that would leave the root.
 *
 * @example
 * resolveWorkspaceDir('/srv/agentpr/workspaces', 'mem0ai/mem0/run_1'); // → '/srv/agentpr/workspaces/mem0ai/mem0/run_1'
 */
export function resolveWorkspaceDir(root: string, rel: string): string {
  const base = resolve(root);
  const dir = resolve(base, ...checkWorkspaceRel(rel).split('/'));
  const inside = relative(base, dir);
  // A second line of defence: the segment check above already rules this out.
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new StoreError('invalid_input', `workspace path ${JSON.stringify(rel.slice(0, 80))} leaves the workspace root ${base}.`);
  }
  return dir;
}

/**
 * Records that `hostId` holds the run's workspace now (`run_states.workspace_host` and `workspace_host_at`). It does
 * not move the run's `updated_at`: placement is not a state change, and the list order and the manager's fairness
 * follow state changes. Throws `invalid_input` for a malformed host id and `run_not_found` for an unknown run.
 *
 * @example
 * await setWorkspaceHost(db, 'run_1', resolveHostId(env));
 */
export async function setWorkspaceHost(db: Db, runId: string, hostId: string, clock: Clock = systemClock): Promise<void> {
  if (!HOST_ID_PATTERN.test(hostId)) {
    throw new StoreError('invalid_input', `host id ${JSON.stringify(hostId.slice(0, 80))} must be 1-64 characters of letters, digits, . _ -.`, { runId });
  }
  const result = await db.updateTable('run_states').set({ workspace_host: hostId, workspace_host_at: iso(clock()) }).where('run_id', '=', runId).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw runNotFound(runId);
}

/**
 * Where the run's workspace lives: its path relative to a workspace root and the host that last held it. Throws
 * `run_not_found` for an unknown run.
 *
 * @example
 * const { workspaceRel, host } = await getRunPlacement(db, 'run_1');
 */
export async function getRunPlacement(db: Db, runId: string): Promise<RunPlacement> {
  const row = await db
    .selectFrom('runs')
    .innerJoin('run_states', 'run_states.run_id', 'runs.run_id')
    .select(['runs.workspace_rel', 'runs.workspace_dir', 'run_states.workspace_host', 'run_states.workspace_host_at'])
    .where('runs.run_id', '=', runId)
    .executeTakeFirst();
  if (!row) throw runNotFound(runId);
  return { workspaceRel: row.workspace_rel, workspaceDir: row.workspace_dir, host: row.workspace_host, hostAt: row.workspace_host_at };
}

/** A run's lease as {@link describePlacement} reads it (the `run_leases` row's holder and expiry). */
export interface PlacementLease {
  holder: string;
  expires_at: string;
}

/** Where a run lives across hosts (see {@link describePlacement}): who holds its lease, which host holds its workspace, and where. */
export interface PlacementView {
  /** This process's host id (`AGENTPR_HOST_ID`, else the hostname). */
  this_host: string;
  /** The live lease: the host and process its holder name starts with (null for a name of another shape); null when free. */
  lease: { host: string | null; pid: number | null; holder: string; expires_at: string } | null;
  /** The host that last held the workspace; null until one recorded it. */
  workspace_host: string | null;
  workspace_host_at: string | null;
  /** Relative to any host's workspace root: `<owner>/<repo>/<run_id>`. */
  workspace_rel: string;
  /** The workspace on this host; null when the stored relative path would leave the root. */
  local_workspace_dir: string | null;
  /** Where the run was created, possibly on another host (display only). */
  created_workspace_dir: string;
}

/**
 * Where a run lives across hosts, for show-run and inspect-run, from what was read of it: the host holding its lease
 * now (from the holder's name; null when the lease is free or expired at `now`), the host that last held its
 * workspace, the workspace's path on THIS host (under `workspaceRoot`) and the path it was created at. Pure: an
 * invalid `AGENTPR_HOST_ID` or a workspace path that would leave the root is shown as such instead of throwing.
 *
 * @example
 * describePlacement(found, { holder: 'worker-2:4242:manager', expires_at: '2026-…' }, { env, workspaceRoot, now: iso(new Date()) }).lease?.host; // 'worker-2'
 */
export function describePlacement(
  found: Pick<RunWithState, 'run' | 'state'>,
  lease: PlacementLease | null | undefined,
  where: { env: Readonly<Record<string, string | undefined>>; workspaceRoot: string; now: string },
): PlacementView {
  const { run, state } = found;
  const live = lease && lease.expires_at > where.now ? lease : undefined;
  const origin = live ? holderOrigin(live.holder) : undefined;
  let thisHost: string;
  try {
    thisHost = resolveHostId(where.env);
  } catch {
    thisHost = '(invalid AGENTPR_HOST_ID)';
  }
  let localDir: string | null;
  try {
    localDir = resolveWorkspaceDir(where.workspaceRoot, run.workspace_rel);
  } catch {
    localDir = null;
  }
  return {
    this_host: thisHost,
    lease: live ? { host: origin?.host ?? null, pid: origin?.pid ?? null, holder: live.holder, expires_at: live.expires_at } : null,
    workspace_host: state.workspace_host ?? null,
    workspace_host_at: state.workspace_host_at ?? null,
    workspace_rel: run.workspace_rel,
    local_workspace_dir: localDir,
    created_workspace_dir: run.workspace_dir,
  };
}
