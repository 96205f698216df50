import { isInsideRoot, resolveReal } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/**
 * Refuses a run whose `workspace_dir`, with symlinks followed, does not lie strictly inside the real workspace
 * root, and returns the real path. A run stored before names were validated (owner `..`), a path edited in the
 * database or a symlink planted in the root would otherwise let a use case clone, commit, push or run an agent
 * outside it. Missing trailing components are allowed (run-prepare creates them); they are resolved through the
 * deepest existing ancestor. Call it in every use case that touches `workspace_dir`, before touching it.
 *
 * @example
 * const dir = await assertWorkspaceInsideRoot(ctx, run); // throws AgentprError('refused', …) for ../../etc
 */
export async function assertWorkspaceInsideRoot(ctx: Pick<AppContext, 'paths'>, run: { run_id: string; workspace_dir: string }): Promise<string> {
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
