import { isInsideRoot, resolveReal } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { localWorkspaceDir } from './local-run.js';

/**
 * Refuses a run whose workspace on this host, with symlinks followed, does not lie strictly inside the real workspace
 * root, and returns the real path. The workspace on this host is the run's `workspace_rel` under this host's root when
 * the run carries it (a run row; see localWorkspaceDir), else the `workspace_dir` given. A run stored before names
 * were validated (owner `..`), a path edited in the
 * database or a symlink planted in the root would otherwise let a use case clone, commit, push or run an agent
 * outside it. Missing trailing components are allowed (run-prepare creates them); they are resolved through the
 * deepest existing ancestor. Call it in every use case that touches the workspace, before touching it.
 *
 * @example
 * const dir = await assertWorkspaceInsideRoot(ctx, run); // throws AgentprError('refused', …) for ../../etc
 */
export async function assertWorkspaceInsideRoot(ctx: Pick<AppContext, 'paths'>, given: { run_id: string; workspace_dir: string; workspace_rel?: string }): Promise<string> {
  const rel = given.workspace_rel;
  const run = rel === undefined ? given : { run_id: given.run_id, workspace_dir: localWorkspaceDir(ctx, { run_id: given.run_id, workspace_rel: rel }) };
  const root = ctx.paths.workspaceRoot;
  let realRoot: string;
  let realDir: string;
  try {
    realRoot = await resolveReal(root);
    realDir = await resolveReal(run.workspace_dir);
  } catch (error) {
    throw new AgentprError('refused', `run ${run.run_id}: cannot resolve workspace ${run.workspace_dir} against the workspace root ${root}: ${(error as Error).message}; refused.`);
  }
  if (!isInsideRoot(realRoot, realDir)) {
    const shown = realDir === run.workspace_dir ? run.workspace_dir : `${run.workspace_dir} (really ${realDir})`;
    throw new AgentprError(
      'refused',
      `run ${run.run_id} has workspace ${shown}, outside the workspace root ${realRoot}; refused. Use the --workspace-root the run was created with, or create the run again.`,
      { details: { workspace_dir: run.workspace_dir, workspace_root: realRoot } },
    );
  }
  return realDir;
}
