import { readFileSync } from 'node:fs';
import { DEFAULT_MANAGER_POLICY, effectivePolicy, loadPolicy } from '@agentpr/policy';
import { checkDigestPayload, evaluateDodGate, type DigestLoadError } from '@agentpr/runtime-analysis';
import { getLease, iso, latestArtifact } from '@agentpr/store';
import { diffSummary, workspaceIdentity } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { budgetBaseline } from '../workspace/workspace-shared.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { ensureLocalWorkspace } from '../workspace/ensure-local-workspace.js';
import { requireLocalRun } from '../workspace/local-run.js';

/**
 * The pre-push DoD check: the checks of the DoD gate except `digest_stale` on the latest digest, and
 * the digest must describe the working tree as it is now (its `tree_sha` equals the current tree), read in the
 * workspace on this host. When the caller holds the run lease (the manager's tick), a workspace another host held
 * last is rebuilt here first (see ensureLocalWorkspace); without the lease (a dry run) nothing is rebuilt.
 */
export async function prePushCheck(ctx: AppContext, runId: string): Promise<{ ok: boolean; failed: string[] }> {
  const held = await holdsLease(ctx, runId);
  const rebuildFailure = held ? await ensureLocalWorkspace(ctx, runId).then(() => null, (error: unknown) => (error as Error).message) : null;
  const { run } = await requireLocalRun(ctx, runId);
  const artifact = await latestArtifact(ctx.db, runId, 'run_digest');
  let digest: Record<string, unknown> | null = null;
  let loadError: DigestLoadError | null = artifact ? null : 'missing_run_digest_artifact';
  if (artifact) {
    try {
      const checked = checkDigestPayload(JSON.parse(readFileSync(artifact.uri, 'utf8')));
      if (checked.ok) digest = checked.digest;
      else loadError = checked.error;
    } catch (error) {
      loadError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run_digest_file_not_found' : 'run_digest_invalid_payload';
    }
  }
  const loaded = await loadPolicy(ctx.paths.policyFile);
  const eff = effectivePolicy(loaded.ok ? loaded.policy : DEFAULT_MANAGER_POLICY, run.owner, run.repo);
  const result = evaluateDodGate({
    digest,
    digestLoadError: loadError,
    hasContract: (await latestArtifact(ctx.db, runId, 'contract')) !== undefined,
    effectivePolicy: {
      max_changed_files: eff.max_changed_files,
      max_added_lines: eff.max_added_lines,
      min_test_commands: eff.min_test_commands,
      skills_mode: eff.skills_mode,
    },
  });
  const failed = result.failed_checks.map((c) => `${c.code}: ${c.message}`);
  if (rebuildFailure !== null) failed.push(`workspace_rebuild_failed: ${rebuildFailure}`);
  if (digest) {
    const git = ctx.git;
    const baseline = await budgetBaseline(ctx.db, runId);
    const workspace = digest.workspace;
    const expected = workspace && typeof workspace === 'object' && 'tree_sha' in workspace ? workspace.tree_sha : undefined;
    try {
      await assertWorkspaceInsideRoot(ctx, run);
      const diff = baseline ? await diffSummary(git, run.workspace_dir, { ref: baseline }) : null;
      const identity = await workspaceIdentity(git, run.workspace_dir, diff?.changed_files ?? []);
      if (typeof expected !== 'string' || identity.tree_sha !== expected) failed.push(`digest_stale: the working tree changed since the digest (digest tree ${String(expected)}, now ${identity.tree_sha})`);
    } catch (error) {
      failed.push(`workspace_unreadable: ${(error as Error).message}`);
    }
  }
  return { ok: failed.length === 0, failed };
}

/** Whether `ctx.leaseHolder` holds the run's lease now. */
async function holdsLease(ctx: AppContext, runId: string): Promise<boolean> {
  if (ctx.leaseHolder === undefined) return false;
  const lease = await getLease(ctx.db, runId);
  return lease?.holder === ctx.leaseHolder && lease.expires_at > iso(ctx.clock());
}
