import type { GitHubClient, PullRequestInfo } from '@agentpr/github';
import type { RunState } from '@agentpr/state-machine';
import { addArtifact, addAuditRecord, applyEvent, applyEvents, inTransaction, iso, listArtifacts, recordAttempt, updateArtifactMetadata, type PrRequestRow } from '@agentpr/store';
import { recordPrOpening } from '../citizenship/pr-activity-record.js';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { githubFailure } from '../github-sync/require-github.js';

/** The run a PR is opened for. */
export interface PrTarget {
  runId: string;
  owner: string;
  repo: string;
  /** The absolute request file the approval consumed. */
  requestFile: string;
}

/** A PR that GitHub opened (or already had) at the approved head and that the run now links. */
export interface LinkedPullRequest {
  /** Whether GitHub created the PR now or answered with the one that was already open. */
  created: boolean;
  prNumber: number;
  prUrl: string | null;
  state: RunState;
}

/**
 * Opens the approved request's PR from `<head_owner>:<head>` through GitHub and links it to the run
 * (`command.pr.linked` → CI_WAIT, a `pr_url` artefact, the request artefact marked consumed), recording a
 * `pr_create` attempt. A failed creation moves the run to NEEDS_HUMAN_REVIEW; so does a PR whose head is not
 * the approved SHA, which is closed first. Both throw `AgentprError`.
 */
export async function openPullRequest(ctx: AppContext, github: GitHubClient, target: PrTarget, request: PrRequestRow): Promise<LinkedPullRequest> {
  const started = ctx.clock().getTime();
  let created;
  try {
    created = await github.createPullRequest({
      owner: target.owner,
      repo: target.repo,
      title: request.title,
      body: request.body,
      head: request.head,
      headOwner: request.head_owner,
      base: request.base,
      draft: request.draft === 1,
    });
  } catch (error) {
    return failCreation(ctx, target.runId, started, error);
  }
  const pr = created.pullRequest;
  const mode = created.alreadyExists ? 'already_exists' : 'created';
  if (pr.headSha.toLowerCase() !== request.head_sha.toLowerCase()) {
    await rejectMovedHead(ctx, github, { ...target, approvedSha: request.head_sha, pr, mode, started });
  }
  await recordAttempt(
    ctx.db,
    { runId: target.runId, step: 'pr_create', succeeded: true, stdout: JSON.stringify({ mode, pr_number: pr.number, pr_url: pr.url }), stderr: '', durationMs: ctx.clock().getTime() - started },
    ctx.clock,
  );
  const state = await linkPullRequest(ctx, target, request.id, pr);
  await recordPrOpening(ctx, github, { runId: target.runId, pr, created: !created.alreadyExists });
  return { created: !created.alreadyExists, prNumber: pr.number, prUrl: pr.url || null, state };
}

/** Records the failed `pr_create` attempt, moves the run to NEEDS_HUMAN_REVIEW and throws what GitHub said. */
async function failCreation(ctx: AppContext, runId: string, started: number, error: unknown): Promise<never> {
  const failure = githubFailure(error);
  await recordAttempt(ctx.db, { runId, step: 'pr_create', succeeded: false, stdout: '', stderr: failure.message, durationMs: ctx.clock().getTime() - started }, ctx.clock);
  const applied = await applyEvent(
    ctx.db,
    runId,
    { event: { type: 'worker.step.failed', step: 'pr_create', reason_code: 'pr_create_failed', error_message: failure.message, actor: ctx.actor } },
    ctx.clock,
  );
  throw new AgentprError('external_failed', `creating the PR failed: ${failure.message} The run is now ${applied.state}; fix the cause, retry --target-state PUSHED and request again.`, {
    details: { state: applied.state, pr_url: null },
    cause: error,
  });
}

/** Links the PR in one transaction; a failure leaves the PR open and says how to link it by hand. */
async function linkPullRequest(ctx: AppContext, target: PrTarget, requestId: number, pr: PullRequestInfo): Promise<RunState> {
  const { runId, requestFile } = target;
  return inTransaction(ctx.db, async (trx) => {
    const [linked] = await applyEvents(trx, runId, [{ event: { type: 'command.pr.linked', pr_number: pr.number, actor: ctx.actor }, idempotencyKey: `pr-open:${requestId}:linked` }], ctx.clock);
    if (pr.url) await addArtifact(trx, { runId, type: 'pr_url', uri: pr.url, metadata: { pr_number: pr.number } }, ctx.clock);
    const artifacts = await listArtifacts(trx, runId, { type: 'pr_open_request', limit: 50 });
    const artifact = artifacts.find((a) => a.uri === requestFile);
    if (artifact) await updateArtifactMetadata(trx, artifact.id, { consumed_at: iso(ctx.clock()), pr_number: pr.number });
    return linked!.state;
  }).catch((error: unknown) => {
    throw new AgentprError('refused', `PR #${pr.number} (${pr.url}) was opened but linking it failed: ${(error as Error).message} Link it with link-pr --pr-number ${pr.number}.`, {
      details: { pr_number: pr.number, pr_url: pr.url },
      cause: error,
    });
  });
}

/**
 * The PR GitHub opened does not point at the approved head: the branch moved between the check and the
 * creation. Closes the PR, audits it, records the failed `pr_create` attempt, moves the run to
 * NEEDS_HUMAN_REVIEW and throws — a human looks at what was pushed before anything is opened again.
 */
async function rejectMovedHead(
  ctx: AppContext,
  github: GitHubClient,
  moved: PrTarget & { approvedSha: string; pr: PullRequestInfo; mode: string; started: number },
): Promise<never> {
  const { runId, pr } = moved;
  let closed = false;
  let closeError: string | null = null;
  try {
    if (!github.closePullRequest) throw new Error('this GitHub client cannot close pull requests');
    await github.closePullRequest({ owner: moved.owner, repo: moved.repo }, pr.number);
    closed = true;
  } catch (error) {
    closeError = githubFailure(error).message;
  }
  const detail = {
    request_file: moved.requestFile,
    pr_number: pr.number,
    pr_url: pr.url,
    mode: moved.mode,
    approved_head_sha: moved.approvedSha,
    pr_head_sha: pr.headSha,
    closed,
    ...(closeError ? { close_error: closeError } : {}),
  };
  await addAuditRecord(ctx.db, { kind: 'pr_head_mismatch', runId, actor: ctx.actor, detail }, ctx.clock);
  ctx.log.warn('PR head moved after approval', { run_id: runId, pr_number: pr.number, closed });
  const what = `PR #${pr.number} points at ${pr.headSha}, not the approved ${moved.approvedSha}: the branch moved after the check`;
  await recordAttempt(ctx.db, { runId, step: 'pr_create', succeeded: false, stdout: JSON.stringify(detail), stderr: what, durationMs: ctx.clock().getTime() - moved.started }, ctx.clock);
  const applied = await applyEvent(
    ctx.db,
    runId,
    { event: { type: 'worker.step.failed', step: 'pr_create', reason_code: 'pr_head_moved', error_message: `${what}${closed ? '; the PR was closed' : ''}`, actor: ctx.actor } },
    ctx.clock,
  );
  const closing = closed ? 'It was closed' : `Closing it failed (${closeError}); close it by hand`;
  throw new AgentprError('refused', `${what}. ${closing}; the run is now ${applied.state}. Check what was pushed, then retry --target-state PUSHED and request again.`, {
    details: { state: applied.state, pr_number: pr.number, pr_url: pr.url, closed },
  });
}
