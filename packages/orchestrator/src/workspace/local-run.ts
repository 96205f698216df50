import { requireRun, resolveHostId, resolveWorkspaceDir, StoreError, type Db, type RunRow, type RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/**
 * A run as this host sees it: `run.workspace_dir` is the LOCAL workspace (the run's `workspace_rel` under this host's
 * workspace root); `createdDir` is the path stored when the run was created, possibly on another host (display only).
 */
export interface LocalRun extends RunWithState {
  createdDir: string;
}

/**
 * The run's workspace on this host: `workspace_rel` (`<owner>/<repo>/<run_id>`) under `ctx.paths.workspaceRoot`. Every
 * host resolves it under its own root, so the stored absolute `workspace_dir` is never used to reach the workspace. A
 * relative path that would leave the root (a row written before names were checked, or edited) is refused with one
 * line, like any workspace outside the root.
 *
 * @example
 * localWorkspaceDir(ctx, run); // → '/srv/agentpr/workspaces/mem0ai/mem0/run_1'
 */
export function localWorkspaceDir(ctx: Pick<AppContext, 'paths'>, run: Pick<RunRow, 'run_id' | 'workspace_rel'>): string {
  try {
    return resolveWorkspaceDir(ctx.paths.workspaceRoot, run.workspace_rel);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    throw new AgentprError(
      'refused',
      `run ${run.run_id} has workspace ${JSON.stringify(run.workspace_rel.slice(0, 120))}, outside the workspace root ${ctx.paths.workspaceRoot}; refused. Create the run again.`,
      { details: { workspace_rel: run.workspace_rel.slice(0, 120), workspace_root: ctx.paths.workspaceRoot } },
    );
  }
}

/** `found` with `run.workspace_dir` replaced by this host's path (see {@link localWorkspaceDir}). */
export function localRunOf(ctx: Pick<AppContext, 'paths'>, found: RunWithState): LocalRun {
  return { ...found, run: { ...found.run, workspace_dir: localWorkspaceDir(ctx, found.run) }, createdDir: found.run.workspace_dir };
}

/**
 * Loads a run with its LOCAL workspace path in `run.workspace_dir`: the one way use cases reach a run's workspace.
 * Throws the store's `run_not_found` for an unknown run and `refused` for a workspace path that leaves the root.
 *
 * @example
 * const { run, state } = await requireLocalRun(ctx, 'run_1'); // run.workspace_dir is under ctx.paths.workspaceRoot
 */
export async function requireLocalRun(ctx: Pick<AppContext, 'paths'> & { db: Db }, runId: string): Promise<LocalRun> {
  return localRunOf(ctx, await requireRun(ctx.db, runId));
}

/**
 * This host's id (`AGENTPR_HOST_ID` of `ctx.env`, else the hostname; see the store's resolveHostId); an invalid value
 * is a `config` error with one line naming the variable.
 *
 * @example
 * thisHostId({ env: { AGENTPR_HOST_ID: 'worker-2' } }); // → 'worker-2'
 */
export function thisHostId(ctx: Pick<AppContext, 'env'>): string {
  try {
    return resolveHostId(ctx.env);
  } catch (error) {
    if (error instanceof StoreError) throw new AgentprError('config', error.message, { cause: error });
    throw error;
  }
}

/** This host's identity as the doctor shows it: the id and where it came from, or why `AGENTPR_HOST_ID` is refused. */
export type HostIdentity = { ok: true; id: string; source: 'AGENTPR_HOST_ID' | 'hostname' } | { ok: false; error: string };

/**
 * This host's identity and its source (see {@link thisHostId}); never throws.
 *
 * @example
 * hostIdentity({ AGENTPR_HOST_ID: 'worker-2' }); // → { ok: true, id: 'worker-2', source: 'AGENTPR_HOST_ID' }
 */
export function hostIdentity(env: Readonly<Record<string, string | undefined>>): HostIdentity {
  try {
    const id = resolveHostId(env);
    return { ok: true, id, source: env.AGENTPR_HOST_ID ? 'AGENTPR_HOST_ID' : 'hostname' };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
