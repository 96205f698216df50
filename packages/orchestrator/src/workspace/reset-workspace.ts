import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, type RunState } from '@agentpr/state-machine';
import { addArtifact, latestArtifact, leaseHolder, listAttempts, pushedHead, recordAttempt, withLease, type Db } from '@agentpr/store';
import { captureWorkspaceChanges, resetWorktree, workspaceFingerprint, type OmittedFile, type WorkspaceChanges } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { assertWorkspaceInsideRoot } from './workspace-containment.js';
import { ensureLocalWorkspace } from './ensure-local-workspace.js';
import { requireLocalRun } from './local-run.js';
import { campaignFor, preparedWorkspace, verifyProtectedFiles } from './workspace-shared.js';

/** Why a workspace is reset: before a retried agent attempt, or by hand (`agentpr reset-workspace`). */
export type ResetTrigger = 'retry' | 'manual';

/** The run's last good point: the base commit of its prepare, or the head it last pushed. */
export interface ResetPoint {
  point: 'base' | 'pushed_head';
  sha: string;
  /** The feature branch left checked out at `sha`. */
  branch: string | undefined;
}

/** A reset that ran: where the workspace is now and what it discarded. */
export interface WorkspaceResetDone {
  kind: 'reset';
  runId: string;
  trigger: ResetTrigger;
  /** The run's state (a reset never changes it). */
  state: RunState;
  point: ResetPoint['point'];
  targetSha: string;
  branch: string | null;
  previousHead: string;
  /** The private patch of the discarded changes (`discarded_patch` artefact), or null when nothing was discarded. */
  patch: string | null;
  discarded: { tracked: number; untracked: number; ignored: number };
  /** Discarded files whose content is not in the patch (too large, not a file). */
  omitted: OmittedFile[];
}

/** What {@link resetRunWorkspace} did: reset, refused before any git ran, or failed after keeping the patch. */
export type ResetRunWorkspaceResult =
  | WorkspaceResetDone
  | { kind: 'refused'; reason: 'protected_file_changed'; runId: string; state: RunState; message: string }
  | { kind: 'failed'; reason: 'reset_failed'; runId: string; state: RunState; message: string; patch: string | null };

/** The lock file the agent's process tree holds while it runs (outside every workspace). */
export function agentLockFile(ctx: Pick<AppContext, 'paths'>, runId: string): string {
  return join(ctx.paths.dataDir, 'locks', `${runId}.agent.lock`);
}

/** The run's last good point: the head it last pushed when it has pushed, else its prepare's base commit. */
export async function resetPointOf(db: Db, runId: string): Promise<ResetPoint | undefined> {
  const prepared = await preparedWorkspace(db, runId);
  const pushed = await pushedHead(db, runId);
  const pushedBranch = (await latestArtifact(db, runId, 'branch'))?.uri;
  const branch = prepared?.feature_branch || pushedBranch || undefined;
  if (pushed) return { point: 'pushed_head', sha: pushed, branch };
  return prepared ? { point: 'base', sha: prepared.base_sha, branch } : undefined;
}

/** Comment lines before the diff; paths are JSON-quoted, so a hostile file name cannot start a line of its own. */
function patchHeader(runId: string, trigger: ResetTrigger, point: ResetPoint, changes: WorkspaceChanges): string {
  const lines = [
    `# agentpr: changes discarded from run ${runId}'s workspace (${trigger === 'retry' ? 'before a retried attempt' : 'reset-workspace'})`,
    `# reset to ${changes.target} (${point.point === 'base' ? 'the base commit' : 'the last pushed head'}); HEAD was ${changes.head}`,
    `# tracked ${changes.tracked.length}, untracked ${changes.untracked.length}, ignored ${changes.ignored.length}; apply with: git apply <this file>`,
    ...changes.ignored.slice(0, 50).map((p) => `# ignored, removed: ${JSON.stringify(p)}`),
    ...changes.omitted.slice(0, 200).map((o) => `# not in this patch (${o.reason}${o.bytes === null ? '' : `, ${o.bytes} bytes`}): ${JSON.stringify(o.path)}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Discards the workspace's local changes back to the run's last good point, keeping them first: the patch goes to
 * a private file (`ctx.artifacts`, artefact `discarded_patch`), then the hardened git resets and cleans, and the
 * reset is recorded as a `workspace_reset` attempt and artefact (so inspect-run lists it). The caller holds the
 * run lease and has checked the protected files and that no agent runs in the workspace. With `onlyWhenDirty`,
 * a workspace already clean at the target is left alone (`null`).
 */
export async function discardAndReset(
  ctx: AppContext,
  scope: { runId: string; repoDir: string; state: RunState; trigger: ResetTrigger; point: ResetPoint; onlyWhenDirty?: boolean },
): Promise<WorkspaceResetDone | Extract<ResetRunWorkspaceResult, { kind: 'failed' }> | null> {
  const { runId, repoDir, state, trigger, point } = scope;
  const started = ctx.monotonic();
  const resolved = /^[0-9a-f]{4,64}$/i.test(point.sha)
    ? await ctx.git.run(['rev-parse', '--verify', '--end-of-options', `${point.sha}^{commit}`], { cwd: repoDir })
    : undefined;
  const target = resolved?.ok ? resolved.stdout.trim() : '';
  if (target === '') {
    return { kind: 'failed', reason: 'reset_failed', runId, state, patch: null, message: `the ${point.point === 'base' ? 'base commit' : 'pushed head'} ${point.sha} is not in the workspace ${repoDir}` };
  }
  const changes = await captureWorkspaceChanges(ctx.git, repoDir, { target });
  const dirty = changes.tracked.length + changes.untracked.length > 0 || changes.head !== target;
  if (scope.onlyWhenDirty && !dirty) return null;
  let patch: string | null = null;
  if (dirty || changes.ignored.length > 0) {
    patch = ctx.artifacts.writeNew(ctx.paths.reportsDir, `${runId}_discarded_`, '.patch', patchHeader(runId, trigger, point, changes) + changes.patch);
  }
  const discarded = { tracked: changes.tracked.length, untracked: changes.untracked.length, ignored: changes.ignored.length };
  const facts = { trigger, point: point.point, target_sha: target, previous_head: changes.head, branch: point.branch ?? null, ...discarded };
  if (patch) {
    const metadata = { ...facts, omitted: changes.omitted.length, truncated: changes.patchTruncated };
    await addArtifact(ctx.db, { runId, type: 'discarded_patch', uri: patch, metadata }, ctx.clock);
  }
  const reset = await resetWorktree(ctx.git, repoDir, { sha: target, branch: point.branch });
  const summary = `reset to ${target} (${point.point}) from ${changes.head}; discarded ${discarded.tracked} tracked, ${discarded.untracked} untracked, ${discarded.ignored} ignored`;
  const attempt = { runId, step: 'workspace_reset', succeeded: reset.ok, durationMs: Math.round(ctx.monotonic() - started), stage: state };
  await recordAttempt(ctx.db, { ...attempt, stdout: `${summary}${patch ? `\npatch: ${patch}` : ''}`, stderr: reset.ok ? '' : reset.message }, ctx.clock);
  await addArtifact(ctx.db, { runId, type: 'workspace_reset', uri: repoDir, metadata: { ...facts, ok: reset.ok, patch, ...(reset.ok ? {} : { error: reset.message }) } }, ctx.clock);
  if (!reset.ok) return { kind: 'failed', reason: 'reset_failed', runId, state, patch, message: `workspace reset failed: ${reset.message}` };
  ctx.log.info(`workspace ${summary}${patch ? `; kept in ${patch}` : ''}`, { run_id: runId });
  return { kind: 'reset', runId, trigger, state, point: point.point, targetSha: target, branch: point.branch ?? null, previousHead: changes.head, patch, discarded, omitted: changes.omitted };
}

/** Input of {@link resetRunWorkspace}. */
export interface ResetRunWorkspaceInput {
  runId: string;
  /** Lease length; default 10 minutes. */
  leaseTtlMs?: number;
}

/**
 * `agentpr reset-workspace`: puts a run's workspace back at its last good point (the last pushed head once it has
 * pushed, else the base commit), keeping what it discards as a private patch. Holds the run lease, refuses while
 * an agent runs in the workspace, and runs no git when the protected files (hooks, git config, attributes)
 * changed since run-prepare. An unknown run, a terminal run, a run without a workspace or never prepared throws an
 * `AgentprError` before anything changes. The run's state is left alone.
 *
 * @example
 * const result = await resetRunWorkspace(ctx, { runId: 'run_1' });
 * if (result.kind === 'reset') console.log(result.targetSha, result.patch);
 */
export async function resetRunWorkspace(ctx: AppContext, input: ResetRunWorkspaceInput): Promise<ResetRunWorkspaceResult> {
  const { run, state } = await requireLocalRun(ctx, input.runId);
  const runId = run.run_id;
  if (isTerminal(state.current_state)) {
    throw new AgentprError('refused', `run ${runId} is in ${state.current_state}, which is terminal; its workspace is not reset. Use create-run to start again.`);
  }
  await assertWorkspaceInsideRoot(ctx, run);
  const point = await resetPointOf(ctx.db, runId);
  if (!point && !existsSync(run.workspace_dir)) throw new AgentprError('refused', `run ${runId} has no workspace at ${run.workspace_dir}; run run-prepare first.`);
  if (!point) throw new AgentprError('refused', `run ${runId} was never prepared by this agentpr (no base commit recorded); run run-prepare first.`);
  const campaign = await campaignFor(ctx);
  const holder = ctx.leaseHolder ?? leaseHolder('reset-workspace', ctx.env);
  return withLease(ctx.db, runId, holder, input.leaseTtlMs ?? 10 * 60_000, async () => {
    const lock = ctx.agent.workspaceFree(agentLockFile(ctx, runId));
    if (!lock.ok) throw new AgentprError('refused', lock.message, { details: { holders: lock.holders } });
    // Another host may have worked the run last: its workspace is rebuilt here first (issue 20).
    await ensureLocalWorkspace(ctx, runId);
    if (!existsSync(run.workspace_dir)) throw new AgentprError('refused', `run ${runId} has no workspace at ${run.workspace_dir}; run run-prepare first.`);
    const stateNow = (await requireLocalRun(ctx, runId)).state.current_state;
    const check = await verifyProtectedFiles(ctx.db, runId, run.workspace_dir, { allowWorkflowChanges: campaign.allow_workflow_changes });
    if (!check.ok) return { kind: 'refused', reason: 'protected_file_changed', runId, state: stateNow, message: check.message };
    const done = await discardAndReset(ctx, { runId, repoDir: run.workspace_dir, state: stateNow, trigger: 'manual', point });
    return done!;
  }, ctx.clock);
}

/** Whether an agent step may reset before it starts, and why not. */
export type RetryResetDecision = { retry: true; point: ResetPoint } | { retry: false; why: string };

/**
 * Records how the workspace looked when a failed attempt ended (artefact `attempt_workspace`: the attempt's id and
 * the workspace fingerprint), so the next step can tell the attempt's leftovers from a later edit by someone else.
 */
export async function recordFailedAttemptWorkspace(ctx: AppContext, runId: string, repoDir: string): Promise<void> {
  const [attempt] = await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' });
  const fingerprint = await workspaceFingerprint(ctx.git, repoDir);
  if (!attempt || !fingerprint) return;
  await addArtifact(ctx.db, { runId, type: 'attempt_workspace', uri: repoDir, metadata: { attempt_id: attempt.id, grade: attempt.grade, fingerprint } }, ctx.clock);
}

/**
 * Decides whether the workspace's local changes are the product of the run's own failed attempt, so the step that
 * retries it may discard them: the latest agent attempt failed, its `attempt_workspace` fingerprint was recorded,
 * and the workspace is exactly as that attempt left it (an operator's later edit changes the fingerprint). A step
 * in LOCAL_VALIDATING never resets: the implementation it validates lives uncommitted in the tree.
 */
export async function retryResetDecision(ctx: AppContext, runId: string, repoDir: string, stage: RunState): Promise<RetryResetDecision> {
  if (stage === 'LOCAL_VALIDATING') return { retry: false, why: 'a LOCAL_VALIDATING step keeps the implementation it validates' };
  const [attempt] = await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' });
  if (!attempt || attempt.grade === 'PASS') return { retry: false, why: 'the previous agent attempt did not fail' };
  const recorded = await latestArtifact(ctx.db, runId, 'attempt_workspace');
  if (!recorded || recorded.metadata.attempt_id !== attempt.id) return { retry: false, why: 'the failed attempt left no record of its workspace' };
  if (recorded.metadata.fingerprint !== (await workspaceFingerprint(ctx.git, repoDir))) {
    return { retry: false, why: 'the workspace changed after the failed attempt' };
  }
  const point = await resetPointOf(ctx.db, runId);
  return point ? { retry: true, point } : { retry: false, why: 'the run has no recorded base commit' };
}
