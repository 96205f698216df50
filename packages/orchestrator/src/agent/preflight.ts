import { existsSync, mkdirSync } from 'node:fs';
import { classifyAttempt, retryableStreak, type PreflightOutcome } from '@agentpr/runtime-analysis';
import type { RunState } from '@agentpr/state-machine';
import { applyEvent, ATTEMPT_HISTORY_LIMIT, listAttempts, setAttemptVerdict } from '@agentpr/store';
import { diffSummary, type ProtectedChange, type ProtectedSnapshot } from '@agentpr/workspace';
import type { Campaign } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { agentLockFile, discardAndReset, retryResetDecision, type WorkspaceResetDone } from '../workspace/reset-workspace.js';
import { runPreflight } from '../workspace/run-preflight.js';
import { ensureLocalWorkspace } from '../workspace/ensure-local-workspace.js';
import { requireLocalRun } from '../workspace/local-run.js';
import { campaignFor, verifyProtectedFiles } from '../workspace/workspace-shared.js';
import type { RefusedAgentStep } from './agent-step-result.js';
import { failureTarget, recordRefusal, recordStepFailure } from './converge.js';
import type { RunAgentStepInput, StepParameters, StepScope } from './parameters.js';
import { writeReports } from './reports.js';

const ALLOWED_STATES: RunState[] = ['DISCOVERY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'];

/** The lock file the agent's process tree holds while it runs (outside every workspace). */
export function lockFileOf(ctx: AppContext, runId: string): string {
  return agentLockFile(ctx, runId);
}

/**
 * Enters the step: a QUEUED run starts discovery, a run outside the agent's states is refused, the success
 * target is adjusted to the stage (discovery and a validating run do not move on success unless asked), and the
 * workspace is made local (rebuilt when another host held it last). `repoDir` is the workspace on this host.
 */
export async function enterStage(ctx: AppContext, input: RunAgentStepInput, params: StepParameters): Promise<StepScope> {
  const runId = input.runId;
  let run = await requireLocalRun(ctx, runId);
  let successState = params.successState;
  const defaulted = input.successState === undefined;
  if (defaulted && run.state.current_state === 'DISCOVERY' && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  if (run.state.current_state === 'QUEUED') {
    await applyEvent(ctx.db, runId, { event: { type: 'command.start.discovery', actor: 'worker' } }, ctx.clock);
    run = await requireLocalRun(ctx, runId);
    if (defaulted && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  }
  const stage = run.state.current_state;
  if (!ALLOWED_STATES.includes(stage)) {
    throw new AgentprError('refused', `run ${runId} is in ${stage}; run-agent-step works in ${ALLOWED_STATES.join(', ')}.`, { details: { state: stage } });
  }
  if (stage === 'LOCAL_VALIDATING' && successState === 'LOCAL_VALIDATING') successState = 'UNCHANGED';
  // Another host may have worked the run last: its workspace is rebuilt here before any check reads it (issue 20).
  if ((await ensureLocalWorkspace(ctx, runId)).kind === 'rebuilt') run = await requireLocalRun(ctx, runId);
  return { ctx, input, params, run, runId, stage, repoDir: run.run.workspace_dir, successState };
}

/** The workspace as the agent will find it: its protected files as run-prepare left them. */
export interface CheckedWorkspace {
  campaign: Campaign;
  /** The protected files before the agent (compared after it, before any git command). */
  protectedReference: ProtectedSnapshot;
  /** The reset this step made before retrying the run's failed attempt, or null. */
  reset: WorkspaceResetDone | null;
}

/**
 * Before any git command: files the agent could have planted for agentpr's own git (hooks, fsmonitor, filters) must
 * be as run-prepare left them, and no earlier step's agent may still be running in the workspace (refused, throws).
 * A step that retries the run's own failed attempt then resets the workspace to the run's last good point, keeping
 * the discarded changes as a patch (see {@link retryAfterFailedAttempt}). Last, a discovery or implementation step
 * starts from a clean worktree unless `--allow-dirty-worktree`: other local changes (an operator's edit) are refused.
 */
export async function checkWorkspace(s: StepScope): Promise<CheckedWorkspace | RefusedAgentStep> {
  const { ctx, runId, repoDir } = s;
  if (!existsSync(repoDir)) {
    const message = `workspace not found: ${repoDir}; run run-prepare first`;
    return { kind: 'refused', reason: 'workspace_missing', message, state: await recordRefusal(ctx, runId, 'workspace_missing', message) };
  }
  const campaign = await campaignFor(ctx);
  const options = { allowWorkflowChanges: campaign.allow_workflow_changes };
  let before = await verifyProtectedFiles(ctx.db, runId, repoDir, options);
  if (!before.ok && before.reason === 'protected_file_changed') return protectedRefusal(s, before.message, before.changes);
  const lock = ctx.agent.workspaceFree(lockFileOf(ctx, runId));
  if (!lock.ok) throw new AgentprError('refused', lock.message, { details: { holders: lock.holders } });
  // No git resets a workspace whose protected files cannot be checked (no baseline recorded).
  const reset = before.ok ? await retryAfterFailedAttempt(s) : null;
  if (reset && reset.kind === 'failed') {
    return { kind: 'refused', reason: 'workspace_unsafe', message: reset.message, state: await recordRefusal(ctx, runId, 'workspace_reset_failed', reset.message) };
  }
  if (reset) {
    // The reset moved tracked files back: the agent is compared with the workspace as the reset left it.
    before = await verifyProtectedFiles(ctx.db, runId, repoDir, options);
    if (!before.ok && before.reason === 'protected_file_changed') return protectedRefusal(s, before.message, before.changes);
  }
  if ((s.stage === 'DISCOVERY' || s.stage === 'IMPLEMENTING') && !s.input.allowDirtyWorktree) {
    const dirty = await diffSummary(ctx.git, repoDir, { ref: 'HEAD' }).catch(() => null);
    if (dirty && dirty.changed_files_count > 0) {
      const message = 'workspace has pre-existing local changes';
      return { kind: 'refused', reason: 'dirty_workspace_before_agent', message, state: await recordRefusal(ctx, runId, 'dirty_workspace_before_agent', message), diff: dirty };
    }
  }
  return { campaign, protectedReference: before.snapshot, reset };
}

async function protectedRefusal(s: StepScope, message: string, changes: ProtectedChange[]): Promise<RefusedAgentStep> {
  const state = await recordRefusal(s.ctx, s.runId, 'protected_file_changed', message);
  return { kind: 'refused', reason: 'protected_file_changed', message, state, protectedChanges: changes };
}

/**
 * A retry needs no manual git: when the workspace is exactly as the run's failed previous attempt left it, the
 * step resets it to the run's last good point (base commit, or the last pushed head) and keeps a patch of what it
 * discarded. Not with `--allow-dirty-worktree` (the operator asked to keep the tree), and never for changes made
 * since the failed attempt. Null when no reset ran (not a retry, or nothing to discard).
 */
async function retryAfterFailedAttempt(s: StepScope): Promise<WorkspaceResetDone | { kind: 'failed'; message: string } | null> {
  if (s.input.allowDirtyWorktree) return null;
  const decision = await retryResetDecision(s.ctx, s.runId, s.repoDir, s.stage);
  if (!decision.retry) return null;
  return discardAndReset(s.ctx, { runId: s.runId, repoDir: s.repoDir, state: s.stage, trigger: 'retry', point: decision.point, onlyWhenDirty: true });
}

/** The attempt's place among the run's attempts. */
export interface AttemptCount {
  attemptNo: number;
  /** 1 + the immediately preceding RETRYABLE attempts of the same stage. */
  streak: number;
}

/** Numbers this attempt among the run's agent and preflight attempts. */
export async function countAttempt(s: StepScope): Promise<AttemptCount> {
  const previous = (await listAttempts(s.ctx.db, s.runId, { limit: ATTEMPT_HISTORY_LIMIT })).filter((a) => a.step === 'agent' || a.step === 'preflight');
  return { attemptNo: previous.filter((a) => a.step === 'agent').length + 1, streak: retryableStreak(previous, s.stage) };
}

/** The preflight's outcome for the classifier and its report for the runtime report (both null when skipped). */
export interface StepPreflight {
  preflight: PreflightOutcome | null;
  preflightReport: unknown;
}

/**
 * The repository preflight. A failure is classified like any verdict, recorded on the preflight attempt,
 * converged and reported; the agent does not start.
 */
export async function preflightStep(s: StepScope, count: AttemptCount): Promise<StepPreflight | RefusedAgentStep> {
  mkdirSync(s.ctx.paths.reportsDir, { recursive: true });
  if (s.input.skipPreflight) return { preflight: null, preflightReport: null };
  const { ctx, runId, params } = s;
  const checks = { skipNetworkCheck: s.input.skipNetworkCheck ?? false, networkTimeoutSec: s.input.networkTimeoutSec ?? 5 };
  const pf = await runPreflight(ctx, { runId, ...checks, codexSandbox: params.sandbox, leaseHeld: true });
  const preflight: PreflightOutcome = { ok: pf.report.ok, failures: pf.report.failures };
  if (pf.report.ok) return { preflight, preflightReport: pf.report };
  const classification = classifyAttempt({
    stage: s.stage,
    agentExit: null,
    analysis: null,
    preflight,
    maxChangedFiles: params.maxChangedFiles,
    maxAddedLines: params.maxAddedLines,
    maxRetryableAttempts: params.maxRetryableAttempts,
    minTestCommands: params.minTestCommands,
    retryableStreak: count.streak,
    attemptNo: count.attemptNo,
  });
  const [latest] = await listAttempts(ctx.db, runId, { limit: 1, step: 'preflight' });
  if (latest) await setAttemptVerdict(ctx.db, latest.id, { grade: classification.grade, reasonCode: classification.reason_code, stage: s.stage });
  const failure = { step: 'preflight' as const, reason: 'preflight_failed', message: pf.report.failures.join('; '), target: failureTarget(classification, params) };
  const state = await recordStepFailure(ctx, runId, failure);
  const reports = await writeReports(s, {
    ...count,
    stateAfter: state,
    classification,
    analysis: null,
    process: null,
    diff: null,
    identity: null,
    preflight,
    preflightReport: pf.report,
    skillPlan: null,
    taskPacketPath: null,
    eventStream: { path: '', retained: false, reason: 'not_started' },
    lastMessage: null,
    runtimePolicy: null,
  });
  return { kind: 'refused', reason: 'preflight_failed', message: 'preflight failed', state, preflight: pf.report, classification, reports };
}
