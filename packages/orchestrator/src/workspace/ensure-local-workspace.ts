import { lstat } from 'node:fs/promises';
import { isTerminal } from '@agentpr/state-machine';
import {
  addArtifact,
  applyEvents,
  latestArtifact,
  pushedHead,
  recordAttempt,
  setWorkspaceHost,
  type EventInput,
} from '@agentpr/store';
import { githubRepoUrl, redactSecrets, snapshotProtected, WorkspaceError } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { requireLocalRun, thisHostId, type LocalRun } from './local-run.js';
import { unpushedWork, type UnpushedWork } from './lost-work.js';
import { cloneForRebuild, type RebuildPlan } from './rebuild-workspace.js';
import { moveAsideStale } from './stale-workspace.js';
import { storedRemoteUrl } from './stored-remote.js';
import { assertWorkspaceInsideRoot } from './workspace-containment.js';
import { procedureMessage, protectedMetadata } from './workspace-shared.js';

/** A workspace rebuilt on this host: where it came from, what it sits on, and what the old one held unpushed. */
export interface WorkspaceRebuilt {
  kind: 'rebuilt';
  fromHost: string | null;
  toHost: string;
  point: 'pushed_head' | 'base';
  sha: string;
  /** Unpushed agent work the replaced workspace held (recorded as lost), or null when it held none. */
  lost: UnpushedWork | null;
  /** Where a stale local copy was moved aside, or null. */
  staleCopy: string | null;
}

/**
 * What {@link ensureLocalWorkspace} found or did: nothing to do (`unprepared`: run-prepare makes the workspace;
 * `terminal`: the run has ended; `local`: this host holds it), `claimed` (a workspace from before hosts were recorded,
 * present here) or `rebuilt`.
 */
export type EnsureLocalWorkspaceResult = { kind: 'unprepared' | 'terminal' | 'local' | 'claimed'; host: string } | WorkspaceRebuilt;

/**
 * Makes the run's workspace local before a use case touches it, under the caller's run lease: when it is missing here
 * or another host held it last, the workspace is cloned again (see cloneForRebuild) at the head the run pushed, else
 * at its base commit, after a stale local copy from an earlier stay is moved aside unread. Unpushed agent work of the
 * replaced workspace is recorded as lost (`worker.workspace.work_lost`, with its host and attempt numbers), the
 * rebuild as a `workspace_rebuild` attempt, a fresh protected-file baseline (a new `workspace_prepared` artefact) and
 * `worker.workspace.rebuilt {from_host, to_host, point, sha}`; neither event moves the run. Then this host is recorded
 * as the workspace's host. A failed rebuild is recorded and throws `refused` with one line; nothing half-cloned stays.
 *
 * @example
 * await withLease(ctx.db, runId, holder, ttl, async () => {
 *   await ensureLocalWorkspace(ctx, runId);
 *   const { run } = await requireLocalRun(ctx, runId); // run.workspace_dir exists on this host now
 * });
 */
export async function ensureLocalWorkspace(ctx: AppContext, runId: string): Promise<EnsureLocalWorkspaceResult> {
  const host = thisHostId(ctx);
  const found = await requireLocalRun(ctx, runId);
  if (isTerminal(found.state.current_state)) return { kind: 'terminal', host };
  const prepared = await latestArtifact(ctx.db, runId, 'workspace_prepared');
  if (!prepared || typeof prepared.metadata.base_sha !== 'string' || prepared.metadata.base_sha === '') return { kind: 'unprepared', host };
  const dir = found.run.workspace_dir;
  const present = await lstat(dir).then((s) => s.isDirectory(), () => false);
  const heldBy = found.state.workspace_host;
  if (present && heldBy === host) return { kind: 'local', host };
  if (present && heldBy === null) {
    await assertWorkspaceInsideRoot(ctx, found.run);
    await setWorkspaceHost(ctx.db, runId, host, ctx.clock);
    return { kind: 'claimed', host };
  }
  return rebuild(ctx, found, prepared.metadata, host);
}

async function rebuild(ctx: AppContext, found: LocalRun, metadata: Record<string, unknown>, host: string): Promise<WorkspaceRebuilt> {
  const { run, state } = found;
  const runId = run.run_id;
  const fromHost = state.workspace_host;
  const started = ctx.monotonic();
  // Counted before anything is recorded: the rebuild attempt below is itself a clean point.
  const work = await unpushedWork(ctx.db, runId);
  const lost = work.attemptNos.length > 0 || work.unfinishedAttemptNo !== null ? work : null;
  const staleCopy = await moveAsideStale(ctx, run.workspace_rel, run.workspace_dir);
  const plan = rebuildPlan(ctx, found, metadata, await pushedHead(ctx.db, runId));
  let rebuilt;
  try {
    rebuilt = await cloneForRebuild(ctx.git, plan);
  } catch (error) {
    if (!(error instanceof WorkspaceError)) throw error;
    const message = redactSecrets(procedureMessage(error));
    const stderr = [message, redactSecrets(error.stderr)].filter((l) => l !== '').join('\n');
    await recordAttempt(ctx.db, { runId, step: 'workspace_rebuild', succeeded: false, processExit: error.gitExit ?? null, stdout: '', stderr, durationMs: elapsed(ctx, started), stage: state.current_state }, ctx.clock);
    throw new AgentprError('refused', `run ${runId}: cannot rebuild its workspace on host ${host}: ${message}`, { details: { from_host: fromHost, to_host: host } });
  }
  const snapshot = await snapshotProtected(run.workspace_dir);
  const moved = { from_host: fromHost, to_host: host, point: rebuilt.point, sha: rebuilt.headSha };
  const artefact = {
    base_branch: plan.baseBranch,
    base_sha: plan.baseSha,
    feature_branch: plan.featureBranch,
    fork_owner: String(metadata.fork_owner ?? ''),
    upstream_url: plan.upstreamUrl,
    fork_url: plan.forkUrl,
    ...protectedMetadata(snapshot),
    rebuilt: moved,
  };
  const log = [...rebuilt.log, ...(staleCopy ? [`a stale copy from an earlier stay was moved aside to ${staleCopy}`] : [])];
  await recordAttempt(ctx.db, { runId, step: 'workspace_rebuild', succeeded: true, stdout: log.join('\n'), stderr: '', durationMs: elapsed(ctx, started), stage: state.current_state }, ctx.clock);
  await addArtifact(ctx.db, { runId, type: 'workspace_prepared', uri: run.workspace_dir, metadata: artefact }, ctx.clock);
  const events: EventInput[] = [];
  if (lost) {
    events.push({ event: { type: 'worker.workspace.work_lost', host: fromHost, attempt_nos: lost.attemptNos, unfinished_attempt_no: lost.unfinishedAttemptNo, actor: 'worker' } });
  }
  events.push({ event: { type: 'worker.workspace.rebuilt', ...moved, actor: 'worker' } });
  events.push(...redoLostValidation(run, state.current_state, rebuilt.point, lost, fromHost));
  await applyEvents(ctx.db, runId, events, ctx.clock);
  await setWorkspaceHost(ctx.db, runId, host, ctx.clock);
  const what = lost ? `; unpushed work of ${fromHost ?? 'an unrecorded host'} lost (agent attempts ${[...lost.attemptNos, ...(lost.unfinishedAttemptNo ? [`${lost.unfinishedAttemptNo} unfinished`] : [])].join(', ')})` : '';
  ctx.log.info(`workspace rebuilt on ${host} from ${fromHost ?? 'an unrecorded host'} at ${rebuilt.point} ${rebuilt.headSha}${what}`, { run_id: runId });
  return { kind: 'rebuilt', fromHost, toHost: host, point: rebuilt.point, sha: rebuilt.headSha, lost, staleCopy };
}

/**
 * A run that moved in LOCAL_VALIDATING with its validated change never pushed has nothing left to finish here: the
 * change was lost with the old host. Rather than let run-finish fail on an empty workspace until a human steps in, the
 * run goes back (in the same transaction) to the stage that makes the change: ITERATING when it has a PR, else
 * IMPLEMENTING. A run that pushed its change, or moved in any other state, stays where it is.
 */
function redoLostValidation(run: LocalRun['run'], stateNow: string, point: 'pushed_head' | 'base', lost: UnpushedWork | null, fromHost: string | null): EventInput[] {
  if (stateNow !== 'LOCAL_VALIDATING' || !lost) return [];
  const target = run.pr_number !== null ? 'ITERATING' : 'IMPLEMENTING';
  const message = `the validated change was never pushed and was lost with host ${fromHost ?? '(unrecorded)'}; the workspace was rebuilt from the ${point === 'base' ? 'base commit' : 'last pushed head'}, so the agent makes the change again`;
  return [
    { event: { type: 'worker.step.failed', step: 'finish', reason_code: 'workspace_lost', error_message: message, actor: 'worker' } },
    { event: { type: 'command.retry', target_state: target, actor: 'worker' } },
  ];
}

/** What to clone: the remotes and branches run-prepare recorded, else the GitHub defaults it would have used. */
function rebuildPlan(ctx: AppContext, found: LocalRun, m: Record<string, unknown>, pushedSha: string | null): RebuildPlan {
  const { run } = found;
  const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
  const forkOwner = text(m.fork_owner);
  const upstreamUrl = storedRemoteUrl(text(m.upstream_url) || githubRepoUrl(run.owner, run.repo));
  const forkUrl = storedRemoteUrl(text(m.fork_url) || (forkOwner ? githubRepoUrl(forkOwner, run.repo) : upstreamUrl));
  const featureBranch = text(m.feature_branch);
  if (featureBranch === '' || text(m.base_branch) === '') {
    throw new AgentprError('refused', `run ${run.run_id} has no recorded base or feature branch, so its workspace cannot be rebuilt on another host; run run-prepare again.`);
  }
  return {
    workspaceRoot: ctx.paths.workspaceRoot,
    workspaceDir: run.workspace_dir,
    upstreamUrl,
    forkUrl,
    baseBranch: text(m.base_branch),
    baseSha: text(m.base_sha).toLowerCase(),
    featureBranch,
    pushedSha: pushedSha ? pushedSha.toLowerCase() : null,
  };
}

function elapsed(ctx: Pick<AppContext, 'monotonic'>, started: number): number {
  return Math.round(ctx.monotonic() - started);
}

/**
 * {@link ensureLocalWorkspace}, then the run as this host sees it now (see requireLocalRun): the one call a use case
 * makes under its lease before touching the workspace.
 *
 * @example
 * const { run } = await localRunUnderLease(ctx, 'run_1');
 */
export async function localRunUnderLease(ctx: AppContext, runId: string): Promise<LocalRun & { placement: EnsureLocalWorkspaceResult }> {
  const placement = await ensureLocalWorkspace(ctx, runId);
  return { ...(await requireLocalRun(ctx, runId)), placement };
}
