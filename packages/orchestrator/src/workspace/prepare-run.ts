import { existsSync } from 'node:fs';
import { isTerminal, type RunState } from '@agentpr/state-machine';
import { addArtifact, applyEvent, leaseHolder, recordAttempt, setWorkspaceHost, withLease } from '@agentpr/store';
import {
  checkBranchName,
  defaultFeatureBranch,
  githubRepoUrl,
  isInsideRoot,
  ownerFromRemoteUrl,
  prepareWorkspace,
  redactSecrets,
  snapshotProtected,
  type ForkRemote,
  type Git,
  type PreparedWorkspace,
  type ProtectedChange,
  WorkspaceError,
} from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { lockFileOf } from '../agent/preflight.js';
import { gateStop, type GateStop } from '../citizenship/gate-stop.js';
import { checkRunGates } from '../citizenship/gates.js';
import { gateBlockedStage, reenterAfterGate } from '../citizenship/reenter-after-gate.js';
import { baselineSettings, takeBaselineSafely, type BaselineResult, type BaselineSettings } from './baseline.js';
import { assertWorkspaceInsideRoot } from './workspace-containment.js';
import { AgentprError } from '../errors.js';
import { requireLocalRun, thisHostId } from './local-run.js';
import { moveAsideStale } from './stale-workspace.js';
import { storedRemoteUrl } from './stored-remote.js';
import {
  campaignFor,
  holdProtectedChange,
  procedureGitExit,
  procedureMessage,
  protectedBaseline,
  protectedMetadata,
  tail,
  verifyProtectedFiles,
} from './workspace-shared.js';

/** Input of {@link prepareRun}; everything but `runId` is optional. */
export interface PrepareRunInput {
  runId: string;
  /** Default: the upstream's HEAD branch. */
  baseBranch?: string | undefined;
  /** Default: `<campaign branch_prefix><YYYYmmdd-HHMMSS>-<run_id>`. */
  featureBranch?: string | undefined;
  /** What to clone (URL or local path); default `https://github.com/<owner>/<repo>.git`. */
  upstreamUrl?: string | undefined;
  /** The fork to push to. Default: `https://github.com/<forkOwner>/<repo>.git` when a fork owner is known. */
  forkUrl?: string | undefined;
  /** The fork's owner; default env `AGENTPR_FORK_OWNER`. Without a fork, `origin` is the upstream itself. */
  forkOwner?: string | undefined;
  /** Lease length; default 15 minutes (the clone's time limit plus a margin). */
  leaseTtlMs?: number;
  /** `--allow-duplicate`: the duplicates the gate finds are recorded and overridden (audited). */
  allowDuplicate?: boolean | undefined;
}

/** The prepared clone: its directory, branches and base commit. */
export type PreparedClone = Omit<PreparedWorkspace, 'log'>;

/**
 * What run-prepare did: `prepared` (the clone is ready on its feature branch), `failed` (the
 * procedure failed; recorded, the run moved on the failure), `held` (the existing clone's protected files
 * changed since the last prepare; no git ran and the run waits for a human) or `gated` (a gate stopped the run
 * before any clone: the repository forbids AI contributions or is archived — SKIPPED —, a duplicate — NEEDS_HUMAN_REVIEW
 * — or GitHub cannot be asked — held; see {@link GateStop}).
 */
export type PrepareRunResult =
  | {
    kind: 'prepared';
    state: RunState;
    clone: PreparedClone;
    stdoutTail: string;
    /** The repository's tests on the untouched base commit: which fail before the agent, or why they did not run. */
    baseline: BaselineResult;
  }
  | {
    kind: 'failed';
    state: RunState;
    /** One line, secrets redacted. */
    error: string;
    /** git's own exit status when a git command failed (never 0); undefined for other failures. */
    gitExit: number | undefined;
  }
  | { kind: 'held'; reason: 'protected_file_changed'; state: RunState; error: string; protectedChanges: ProtectedChange[] }
  | ({ kind: 'gated'; run_id: string; /** The stop's one line, as the other failures name it. */ error: string } & GateStop);

const DEFAULT_LEASE_MS = 15 * 60_000;

/**
 * run-prepare: gives the run its own clean clone on a new feature branch, at its workspace on this host (its
 * `workspace_rel` under this host's root; see requireLocalRun), under the run lease, and records this host as the
 * workspace's host and the remotes (without credentials) another host needs to rebuild it. A local copy left from
 * before another host took the run is moved aside unread. A `QUEUED` run first moves to `DISCOVERY`; then the prepare gates (checkRunGates: the
 * repository's AI policy, archived or inactive, duplicates) run before any clone, and a stop returns `gated`. A run a
 * prepare gate blocked goes back to DISCOVERY once they pass (e.g. with `allowDuplicate`). Success records the attempt and the
 * `workspace_prepared` artefact (with the protected-file snapshot run-finish and the agent step compare
 * against) and leaves the state alone, then takes the baseline: the repository's tests on the untouched base commit,
 * confined like the agent (the `baseline_tests` artefact, workspace/baseline.ts). Reusing an existing clone whose protected files changed since the
 * last prepare runs no git and holds the run for human review (`protected_file_changed`). A failed procedure records the attempt and
 * `worker.step.failed` (→ `FAILED_RETRYABLE` from `DISCOVERY`) and leaves no partial workspace. Bad input
 * (unknown run, terminal run, invalid branch name, workspace outside the root) fails before anything changes.
 *
 * @example
 * const result = await prepareRun(ctx, { runId: 'run_1', forkOwner: 'me' });
 */
export async function prepareRun(ctx: AppContext, input: PrepareRunInput): Promise<PrepareRunResult> {
  const { run, state } = await requireLocalRun(ctx, input.runId);
  if (isTerminal(state.current_state)) {
    throw new AgentprError('refused', `run ${run.run_id} is in ${state.current_state}, which is terminal; create a new run to start again.`);
  }
  const git = ctx.git;
  const root = ctx.paths.workspaceRoot;
  if (!isInsideRoot(root, run.workspace_dir)) {
    throw new AgentprError('refused', `run ${run.run_id} has workspace ${run.workspace_dir}, outside the workspace root ${root}; use the --workspace-root the run was created with.`);
  }
  if (existsSync(run.workspace_dir)) await assertWorkspaceInsideRoot(ctx, run);
  const campaign = await campaignFor(ctx);
  const featureBranch = input.featureBranch ?? defaultFeatureBranch(campaign.branch_prefix, run.run_id, ctx.clock());
  await validateBranch(git, root, featureBranch, '--feature-branch');
  if (input.baseBranch !== undefined) await validateBranch(git, root, input.baseBranch, '--base-branch');
  const upstreamUrl = input.upstreamUrl?.trim() || githubRepoUrl(run.owner, run.repo);
  const fork = forkFor(ctx, run.repo, input);
  const host = thisHostId(ctx);
  // A broken policy fails here, before anything changes; the lease covers the baseline's time limit too.
  const settings = await baselineSettings(ctx, run.owner, run.repo);
  const leaseMs = input.leaseTtlMs ?? DEFAULT_LEASE_MS + (settings.baseline.enabled ? settings.baseline.max_seconds * 1000 : 0);

  return withLease(ctx.db, run.run_id, ctx.leaseHolder ?? leaseHolder('run-prepare', ctx.env), leaseMs, async () => {
    const current = await requireLocalRun(ctx, run.run_id);
    let stateNow = current.state.current_state;
    if (stateNow === 'QUEUED') {
      stateNow = (await applyEvent(ctx.db, run.run_id, { event: { type: 'command.start.discovery', actor: ctx.actor } }, ctx.clock)).state;
    }
    // Before any clone: does the repository want this work, and is it not already done or being done?
    const gates = await checkRunGates(ctx, { runId: run.run_id, phase: 'prepare', allowDuplicate: input.allowDuplicate === true, upstreamUrl });
    const stop = gateStop(gates, run.run_id);
    if (stop) return { kind: 'gated', run_id: run.run_id, error: stop.message, ...stop };
    if (gateBlockedStage(current, 'prepare')) stateNow = await reenterAfterGate(ctx, run.run_id, 'DISCOVERY');
    const started = ctx.monotonic();
    const elapsed = () => Math.round(ctx.monotonic() - started);
    // Another host worked the run since this copy was made: it is stale, and moved aside unread (issue 20).
    const heldBy = current.state.workspace_host;
    if (heldBy !== null && heldBy !== host) await moveAsideStale(ctx, run.workspace_rel, run.workspace_dir);
    // A clone the agent already had: compare before running any git in it (see verifyProtectedFiles).
    if (existsSync(run.workspace_dir) && (await protectedBaseline(ctx.db, run.run_id)) !== undefined) {
      const check = await verifyProtectedFiles(ctx.db, run.run_id, run.workspace_dir, { allowWorkflowChanges: campaign.allow_workflow_changes });
      if (!check.ok && check.reason === 'protected_file_changed') {
        const held = await holdProtectedChange(ctx, run.run_id, 'prepare', stateNow, check, elapsed());
        return { kind: 'held', reason: check.reason, state: held, error: check.message, protectedChanges: check.changes };
      }
    }
    let prepared: PreparedWorkspace;
    try {
      prepared = await prepareWorkspace(git, {
        workspaceRoot: root,
        workspaceDir: run.workspace_dir,
        upstreamUrl,
        fork,
        baseBranch: input.baseBranch,
        featureBranch,
      });
    } catch (error) {
      const message = redactSecrets(procedureMessage(error)) + resetHint(error, run.run_id);
      const gitExit = procedureGitExit(error);
      const gitStderr = (error as { stderr?: string }).stderr ?? '';
      await recordAttempt(ctx.db, { runId: run.run_id, step: 'prepare', succeeded: false, processExit: gitExit, stdout: '', stderr: `${message}\n${gitStderr}`.trim(), durationMs: elapsed(), stage: stateNow }, ctx.clock);
      const failed = await applyEvent(
        ctx.db,
        run.run_id,
        { event: { type: 'worker.step.failed', step: 'prepare', reason_code: 'script_failed', error_message: message, actor: 'worker' } },
        ctx.clock,
      );
      return { kind: 'failed', state: failed.state, error: message, gitExit };
    }
    const snapshot = await snapshotProtected(prepared.workspace_dir);
    const protectedCount = Object.keys(snapshot.entries).length;
    prepared.log.push(
      snapshot.incomplete
        ? `warning: protected files not fully recorded (${snapshot.incomplete.path}: ${snapshot.incomplete.reason}); later steps will be held for review`
        : `recorded ${protectedCount} protected path(s) (.git config, hooks and info, .gitattributes, workflows)`,
    );
    const stdout = prepared.log.join('\n');
    await recordAttempt(ctx.db, { runId: run.run_id, step: 'prepare', succeeded: true, stdout, stderr: '', durationMs: elapsed(), stage: stateNow }, ctx.clock);
    await addArtifact(
      ctx.db,
      {
        runId: run.run_id,
        type: 'workspace_prepared',
        uri: prepared.workspace_dir,
        metadata: {
          base_branch: prepared.base_branch,
          base_sha: prepared.base_sha,
          feature_branch: prepared.feature_branch,
          fork_owner: prepared.fork_owner,
          // What another host needs to clone the workspace again (issue 20); never a credential.
          upstream_url: storedRemoteUrl(upstreamUrl),
          fork_url: storedRemoteUrl(fork?.url.trim() || upstreamUrl),
          ...protectedMetadata(snapshot),
        },
      },
      ctx.clock,
    );
    await setWorkspaceHost(ctx.db, run.run_id, host, ctx.clock);
    const { log: _log, ...clone } = prepared;
    const baseline = await baselineOf(ctx, run.run_id, clone, settings);
    return { kind: 'prepared', state: stateNow, clone, stdoutTail: tail(stdout), baseline };
  }, ctx.clock);
}

/** The baseline of a freshly prepared clone, taken only when the clone sits clean on its base commit. */
async function baselineOf(ctx: AppContext, runId: string, clone: PreparedClone, settings: BaselineSettings): Promise<BaselineResult> {
  const ws = clone.workspace_dir;
  const head = (await ctx.git.run(['rev-parse', 'HEAD'], { cwd: ws })).stdout.trim();
  const dirty = (await ctx.git.run(['status', '--porcelain', '--untracked-files=all'], { cwd: ws })).stdout.trim() !== '';
  const notAtBase = head !== clone.base_sha || dirty ? `the workspace is not clean on its base commit ${clone.base_sha.slice(0, 12)}` : null;
  return takeBaselineSafely(ctx, { runId, workspaceDir: ws, baseSha: clone.base_sha, notAtBase }, settings, lockFileOf(ctx, runId));
}

async function validateBranch(git: Git, cwd: string, name: string, flag: string): Promise<void> {
  try {
    await checkBranchName(git, cwd, name, flag);
  } catch (error) {
    throw new AgentprError('invalid_input', `${procedureMessage(error)} Pick a name such as agentpr/my-change.`, { cause: error });
  }
}

function forkFor(ctx: AppContext, repo: string, input: PrepareRunInput): ForkRemote | undefined {
  const owner = input.forkOwner?.trim() || ctx.env.AGENTPR_FORK_OWNER?.trim() || '';
  const url = input.forkUrl?.trim() || '';
  if (url !== '') return { url, owner: owner || ownerFromRemoteUrl(url) };
  if (owner !== '') return { url: githubRepoUrl(owner, repo), owner };
  return undefined;
}

/** A clone refused for its uncommitted changes names the command that discards them (saving a patch first). */
function resetHint(error: unknown, runId: string): string {
  if (!(error instanceof WorkspaceError) || error.code !== 'target_exists' || !error.message.includes('uncommitted change')) return '';
  return ` To discard them (saved as a patch first): agentpr reset-workspace --run-id ${runId}`;
}
