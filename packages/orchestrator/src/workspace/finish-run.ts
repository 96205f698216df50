import { existsSync } from 'node:fs';
import type { RunState } from '@agentpr/state-machine';
import { applyEvent, applyEvents, leaseHolder, linkedOpenPr, recordAttempt, withLease, type EventInput } from '@agentpr/store';
import { finishWorkspace, redactSecrets, renderTemplate, validateCommitTitle, WorkspaceError, type FinishedWorkspace, type ProtectedChange } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { assertWorkspaceInsideRoot } from './workspace-containment.js';
import { AgentprError } from '../errors.js';
import { ensureLocalWorkspace } from './ensure-local-workspace.js';
import { requireLocalRun } from './local-run.js';
import {
  budgetBaseline,
  campaignFor,
  holdProtectedChange,
  preparedWorkspace,
  procedureGitExit,
  procedureMessage,
  protectedBaseline,
  tail,
  verifyProtectedFiles,
} from './workspace-shared.js';

/** Input of {@link finishRun}. */
export interface FinishRunInput {
  runId: string;
  /** What changed, in words: rendered into the commit body (`{changes}`). */
  changes: string;
  /** `{project}` in the body template; default the repository name. */
  project?: string | undefined;
  /** Default: the campaign's `default_commit_title`; one line, conventional-commit form. */
  commitTitle?: string | undefined;
  /** Lease length; default 10 minutes (the push's time limit plus a margin). */
  leaseTtlMs?: number;
}

/**
 * What run-finish did: `pushed` (committed, if anything changed, and pushed; the run is PUSHED, or
 * CI_WAIT when it re-pushed to the branch of its open PR, which `prNumber` then names),
 * `failed` (the commit or push failed; recorded) or `held` (protected files changed or have no baseline; nothing
 * was committed or pushed and the run waits for a human).
 */
export type FinishRunResult =
  | {
    kind: 'pushed';
    state: RunState;
    branch: string;
    headSha: string;
    committed: boolean;
    changedFiles: string[];
    stdoutTail: string;
    /** The open PR the push went to (a CI-fix round): the run is re-linked to it and waits on CI. */
    prNumber?: number;
  }
  | {
    kind: 'failed';
    state: RunState;
    /** One line, secrets redacted. */
    error: string;
    /** git's own exit status when a git command failed (never 0); undefined for other failures. */
    gitExit: number | undefined;
  }
  | { kind: 'held'; reason: 'protected_file_changed' | 'protected_baseline_missing'; state: RunState; error: string; protectedChanges: ProtectedChange[] };

const DEFAULT_LEASE_MS = 10 * 60_000;
const FINISH_STATE: RunState = 'LOCAL_VALIDATING';

/**
 * run-finish: commits exactly the budget diff (new files included, never `.agentpr_runtime`) with the
 * campaign's commit template and pushes the feature branch to the fork without force, then records
 * `worker.push.completed {branch, head_sha}` (→ `PUSHED`) right after the push, all under the run lease.
 * The title, the campaign template and the state (`LOCAL_VALIDATING` only) are checked before anything
 * runs, so a refusal commits and pushes nothing. Before any git command, the workspace's protected files
 * (`.git/config`, hooks, `.git/info`, `.gitmodules`, risky `.gitattributes`, CI workflows unless the campaign
 * sets `allow_workflow_changes`) are compared with the run-prepare snapshot: a change holds the run for
 * human review (`protected_file_changed`, `NEEDS_HUMAN_REVIEW`) and nothing is committed or pushed. A
 * failed commit or push records the attempt and `worker.step.failed`.
 *
 * @example
 * await finishRun(ctx, { runId: 'run_1', changes: 'Adds the example provider.', commitTitle: 'feat(providers): add example' });
 */
export async function finishRun(ctx: AppContext, input: FinishRunInput): Promise<FinishRunResult> {
  const { run, state } = await requireLocalRun(ctx, input.runId);
  const campaign = await campaignFor(ctx);
  const rawTitle = input.commitTitle ?? campaign.default_commit_title;
  if (rawTitle === undefined) {
    throw new AgentprError('usage', `--commit-title is required: the campaign in ${campaign.dir} sets no default_commit_title.`);
  }
  const title = validateCommitTitle(rawTitle);
  if (!title.ok) throw new AgentprError('invalid_input', `--commit-title: ${title.error}`);
  if (input.changes.trim() === '') throw new AgentprError('usage', '--changes must describe the change in a few words; it goes into the commit body.');
  await assertWorkspaceInsideRoot(ctx, run);
  assertFinishState(run.run_id, state.current_state);
  const baseline = await budgetBaseline(ctx.db, run.run_id);
  if (baseline === undefined) throw new AgentprError('refused', `run ${run.run_id} has no prepare baseline; run run-prepare first.`);
  if ((await protectedBaseline(ctx.db, run.run_id)) === undefined) {
    throw new AgentprError('refused', `run ${run.run_id} has no protected-file baseline (its workspace was prepared by an older agentpr); run run-prepare again, then run-finish.`);
  }
  const prepared = await preparedWorkspace(ctx.db, run.run_id);
  let body: string;
  try {
    body = renderTemplate(
      campaign.commit_body_template,
      {
        changes: input.changes.trim(),
        project: input.project?.trim() || run.repo,
        title: title.title,
        branch: prepared?.feature_branch ?? '',
        run_id: run.run_id,
        owner: run.owner,
        repo: run.repo,
      },
      `${campaign.dir}/campaign.json commit_body_template`,
    );
  } catch (error) {
    if (error instanceof WorkspaceError) throw new AgentprError('config', error.message, { cause: error });
    throw error;
  }
  const git = ctx.git;

  return withLease(ctx.db, run.run_id, ctx.leaseHolder ?? leaseHolder('run-finish', ctx.env), input.leaseTtlMs ?? DEFAULT_LEASE_MS, async () => {
    // Re-read under the lease: another process may have moved the run since the first check.
    assertFinishState(run.run_id, (await requireLocalRun(ctx, run.run_id)).state.current_state);
    // Another host may have worked the run last: its workspace is rebuilt here first (issue 20).
    const placement = await ensureLocalWorkspace(ctx, run.run_id);
    if (placement.kind === 'rebuilt' && placement.lost) {
      const now = (await requireLocalRun(ctx, run.run_id)).state.current_state;
      if (now !== FINISH_STATE) {
        throw new AgentprError(
          'refused',
          `run ${run.run_id}: its validated change was never pushed and was lost with host ${placement.fromHost ?? '(unrecorded)'}; the workspace was rebuilt here and the run went back to ${now} to make it again. Nothing was committed or pushed.`,
          { details: { state: now, reason: 'workspace_lost' } },
        );
      }
    }
    if (!existsSync(run.workspace_dir)) throw new AgentprError('refused', `workspace ${run.workspace_dir} of run ${run.run_id} does not exist; run run-prepare first.`);
    const started = ctx.monotonic();
    const elapsed = () => Math.round(ctx.monotonic() - started);
    // No git before this: a planted hook, fsmonitor or filter would run outside every sandbox.
    const check = await verifyProtectedFiles(ctx.db, run.run_id, run.workspace_dir, { allowWorkflowChanges: campaign.allow_workflow_changes });
    if (!check.ok) {
      const held = await holdProtectedChange(ctx, run.run_id, 'finish', FINISH_STATE, check, elapsed());
      return { kind: 'held', reason: check.reason, state: held, error: check.message, protectedChanges: check.changes };
    }
    let finished: FinishedWorkspace;
    try {
      finished = await finishWorkspace(git, { repoDir: run.workspace_dir, baseline, title: title.title, body });
    } catch (error) {
      const message = redactSecrets(procedureMessage(error));
      const gitExit = procedureGitExit(error);
      const gitStderr = (error as { stderr?: string }).stderr ?? '';
      await recordAttempt(ctx.db, { runId: run.run_id, step: 'finish', succeeded: false, processExit: gitExit, stdout: '', stderr: `${message}\n${gitStderr}`.trim(), durationMs: elapsed(), stage: FINISH_STATE }, ctx.clock);
      const failed = await applyEvent(
        ctx.db,
        run.run_id,
        { event: { type: 'worker.step.failed', step: 'finish', reason_code: 'script_failed', error_message: message, actor: 'worker' } },
        ctx.clock,
      );
      return { kind: 'failed', state: failed.state, error: message, gitExit };
    }
    const stdout = finished.log.join('\n');
    await recordAttempt(ctx.db, { runId: run.run_id, step: 'finish', succeeded: true, stdout, stderr: '', durationMs: elapsed(), stage: FINISH_STATE }, ctx.clock);
    const { state: pushedState, prNumber } = await recordPush(ctx, run.run_id, finished);
    return {
      kind: 'pushed',
      state: pushedState,
      ...(prNumber !== null ? { prNumber } : {}),
      branch: finished.branch,
      headSha: finished.head_sha,
      committed: finished.committed,
      changedFiles: finished.diff.changed_files,
      stdoutTail: tail(stdout),
    };
  }, ctx.clock);
}

/**
 * Records the push (→ PUSHED) and, when the run already has an open PR (a CI-fix round re-pushed its branch), links
 * the PR to the new head in the same transaction (→ CI_WAIT), with the natural key sync-github uses for the same
 * re-link, so the run waits on CI at once instead of sitting at PUSHED until someone syncs.
 */
async function recordPush(ctx: AppContext, runId: string, finished: FinishedWorkspace): Promise<{ state: RunState; prNumber: number | null }> {
  const prNumber = await linkedOpenPr(ctx.db, runId);
  const events: EventInput[] = [{ event: { type: 'worker.push.completed', branch: finished.branch, head_sha: finished.head_sha, actor: 'worker' } }];
  if (prNumber !== null) {
    const relink = { type: 'command.pr.linked' as const, pr_number: prNumber, actor: 'worker' as const };
    events.push({ event: relink, idempotencyKey: `gh:pr-head:${prNumber}:${finished.head_sha.toLowerCase()}`, optional: true });
  }
  const results = await applyEvents(ctx.db, runId, events, ctx.clock);
  const last = results.at(-1)!;
  return { state: last.state, prNumber: prNumber !== null && !last.refused ? prNumber : null };
}

function assertFinishState(runId: string, current: RunState): void {
  if (current !== FINISH_STATE) {
    throw new AgentprError(
      'refused',
      `run ${runId} is in ${current}; run-finish needs ${FINISH_STATE}, so nothing was committed or pushed. Run mark-local-validated after local validation passes.`,
      { details: { state: current } },
    );
  }
}
