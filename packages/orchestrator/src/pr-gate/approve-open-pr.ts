import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as v from 'valibot';
import type { GitHubClient } from '@agentpr/github';
import {
  addArtifact,
  addAuditRecord,
  applyEvent,
  applyEvents,
  consumePrRequest,
  getPrRequestByFile,
  getRun,
  inTransaction,
  latestPrRequest,
  iso,
  leaseHolder,
  listArtifacts,
  recordAttempt,
  StoreError,
  updateArtifactMetadata,
  withLease,
} from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { confirmTokenMatches } from './confirm-token.js';
import type { DodGateResult, DodPolicy } from '@agentpr/runtime-analysis';
import { dodGateForRun } from './dod-gate.js';
import { githubFailure } from '../adapters/github-access.js';
import { workspaceGit, type WorkspaceGit } from './git.js';

/** The input of {@link approveOpenPr} (the `approve-open-pr` flags). */
export interface ApproveOpenPrInput {
  runId: string;
  requestFile: string;
  confirmToken: string | undefined;
  /** The second confirmation; without it nothing happens. */
  confirm: boolean;
  allowExpired?: boolean | undefined;
  /** Open the PR although the DoD gate failed; audited. For emergencies. */
  allowDodBypass?: boolean | undefined;
}

/** Collaborators of {@link approveOpenPr}. */
export interface ApproveOpenPrDeps {
  /** The client, or a function that makes it — called only when the PR is really created, so a missing token does not hide the earlier checks. */
  github: GitHubClient | (() => Promise<GitHubClient>);
  git?: WorkspaceGit;
  /** Thresholds for digests that predate `policy_used`; default the run's effective policy from the policy file. */
  policy?: DodPolicy;
  /** How long the run lease is held; default 5 minutes. */
  leaseMs?: number;
}

/** The output of `approve-open-pr`. */
export type ApproveOpenPrResult =
  | { ok: true; already_linked: true; state: 'CI_WAIT'; pr_number: number }
  | {
    ok: true;
    mode: 'created' | 'already_exists';
    pr_number: number;
    pr_url: string | null;
    state: string;
    dod_gate: { ok: boolean; bypassed: boolean; snapshot: DodGateResult['snapshot'] | null; failed_checks: DodGateResult['failed_checks'] };
  };

const RequestFileSchema = v.object({
  run_id: v.string(),
  title: v.string(),
  body: v.string(),
  base: v.string(),
  head: v.string(),
  head_owner: v.string(),
  head_sha: v.string(),
  draft: v.boolean(),
  confirm_token_sha256: v.string(),
  created_at: v.string(),
  expires_at: v.string(),
});

function readRequestFile(path: string): v.InferOutput<typeof RequestFileSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AgentprError('not_found', `request file not found: ${path}. Run request-open-pr first.`);
    if (error instanceof SyntaxError) throw new AgentprError('invalid_input', `request file ${path} is not valid JSON; run request-open-pr again.`);
    throw new AgentprError('io', `cannot read request file ${path}: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(RequestFileSchema, raw);
  if (!parsed.success) {
    const missing = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`);
    throw new AgentprError('invalid_input', `request file ${path} is incomplete — ${missing.join('; ')}. Run request-open-pr again.`);
  }
  return parsed.output;
}

/** Refuses a request that a newer request of the same run replaced (issue 13): only the newest is approvable. */
async function refuseSuperseded(ctx: AppContext, runId: string, requestId: number, requestFile: string): Promise<void> {
  const latest = await latestPrRequest(ctx.db, runId);
  if (latest && latest.id !== requestId) {
    throw new AgentprError('refused', `request ${requestFile} was replaced by the newer request ${latest.request_file}; only a run's newest PR request can be approved. Approve that one with its own token.`, {
      details: { newer_request_file: latest.request_file },
    });
  }
}

/**
 * The PR GitHub opened does not point at the approved head: the branch moved between the check and the
 * creation. Closes the PR, audits it, records the failed `pr_create` attempt, moves the run to
 * NEEDS_HUMAN_REVIEW and throws — a human looks at what was pushed before anything is opened again.
 */
async function rejectMovedHead(
  ctx: AppContext,
  github: GitHubClient,
  moved: { runId: string; owner: string; repo: string; requestFile: string; approvedSha: string; pr: { number: number; url: string; headSha: string }; mode: string; started: number },
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
  const detail = { request_file: moved.requestFile, pr_number: pr.number, pr_url: pr.url, mode: moved.mode, approved_head_sha: moved.approvedSha, pr_head_sha: pr.headSha, closed, ...(closeError ? { close_error: closeError } : {}) };
  await addAuditRecord(ctx.db, { kind: 'pr_head_mismatch', runId, actor: ctx.actor, detail }, ctx.clock);
  ctx.log.warn('PR head moved after approval', { run_id: runId, pr_number: pr.number, closed });
  const what = `PR #${pr.number} points at ${pr.headSha}, not the approved ${moved.approvedSha}: the branch moved after the check`;
  await recordAttempt(ctx.db, { runId, step: 'pr_create', exitCode: 1, stdout: JSON.stringify(detail), stderr: what, durationMs: ctx.clock().getTime() - moved.started }, ctx.clock);
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

function leaseError(error: unknown): never {
  if (error instanceof StoreError && error.code === 'lease_held') throw new AgentprError('lease_held', error.message, { details: error.data });
  if (error instanceof StoreError && error.code === 'refused') throw new AgentprError('refused', error.message, { details: error.data });
  throw error;
}

/**
 * The second half of the PR gate (SPEC §6.2, W29–W31). With `--confirm` and the request's token it re-checks,
 * in order: the request file, the token (SHA-256, constant time), the already-linked shortcut, single use, the
 * expiry, the state (PUSHED), that the fork branch is still at the requested head SHA, and the DoD gate (unless
 * bypassed — then an audit record is written). Only then, under the run lease, it consumes the request
 * atomically, opens the PR from `<fork-owner>:<branch>` through the GitHub client, records a `pr_create`
 * attempt and links the PR (`command.pr.linked` → CI_WAIT). A failed creation moves the run to
 * NEEDS_HUMAN_REVIEW with the reason.
 *
 * @example
 * await approveOpenPr(ctx, { runId, requestFile, confirmToken: 'A1B2…', confirm: true }, { github });
 */
export async function approveOpenPr(ctx: AppContext, input: ApproveOpenPrInput, deps: ApproveOpenPrDeps): Promise<ApproveOpenPrResult> {
  if (!input.confirm) throw new AgentprError('refused', 'approve-open-pr needs --confirm: it opens a pull request on GitHub. Check the request, then add --confirm.');
  const found = await getRun(ctx.db, input.runId);
  if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
  await assertWorkspaceInsideRoot(ctx, found.run);
  if (!existsSync(found.run.workspace_dir)) throw new AgentprError('not_found', `workspace not found: ${found.run.workspace_dir}. Run run-prepare to rebuild it.`);
  const requestFile = resolve(input.requestFile);
  const file = readRequestFile(requestFile);
  if (file.run_id !== input.runId) throw new AgentprError('refused', `request file ${requestFile} belongs to run ${file.run_id}, not ${input.runId}.`);
  const token = input.confirmToken?.trim();
  if (!token) throw new AgentprError('usage', '--confirm-token is required: use the token request-open-pr printed.');
  const request = await getPrRequestByFile(ctx.db, input.runId, requestFile);
  if (!request) throw new AgentprError('not_found', `request ${requestFile} is not recorded for run ${input.runId}; run request-open-pr again.`);
  if (!confirmTokenMatches(token, request.confirm_token_sha256)) {
    throw new AgentprError('refused', 'the confirm token does not match this request. Use the token request-open-pr printed with it.');
  }
  const { run, state } = found;
  if (state.current_state === 'CI_WAIT' && run.pr_number !== null && request.consumed_at !== null) {
    return { ok: true, already_linked: true, state: 'CI_WAIT', pr_number: run.pr_number };
  }
  if (request.consumed_at !== null) {
    throw new AgentprError('refused', `request ${requestFile} was already used at ${request.consumed_at}; a request opens one PR. Run request-open-pr again.`);
  }
  await refuseSuperseded(ctx, run.run_id, request.id, requestFile);
  const expires = Date.parse(request.expires_at);
  if (Number.isNaN(expires)) throw new AgentprError('invalid_input', `request expires_at ${request.expires_at} is not a timestamp; run request-open-pr again.`);
  if (ctx.clock().getTime() > expires && !input.allowExpired) {
    throw new AgentprError('refused', `request ${requestFile} expired at ${request.expires_at}. Run request-open-pr again, or pass --allow-expired.`);
  }

  const holder = ctx.leaseHolder ?? leaseHolder('approve-open-pr');
  return withLease<ApproveOpenPrResult>(
    ctx.db,
    run.run_id,
    holder,
    deps.leaseMs ?? 5 * 60_000,
    async () => {
      const current = await getRun(ctx.db, run.run_id);
      if (current?.state.current_state !== 'PUSHED') {
        throw new AgentprError('refused', `run ${run.run_id} is in ${current?.state.current_state}; approve-open-pr needs PUSHED.`, { details: { state: current?.state.current_state } });
      }
      const git = deps.git ?? workspaceGit(run.workspace_dir, ctx.env);
      const remote = await git.remoteHead('origin', request.head);
      if (!remote.ok) throw new AgentprError('external_failed', `cannot read branch ${request.head} on origin: ${remote.error}`);
      if (remote.sha !== request.head_sha.toLowerCase()) {
        throw new AgentprError('refused', `branch ${request.head} on origin is at ${remote.sha ?? '(missing)'}, not the requested ${request.head_sha}; the branch moved after the request. Run request-open-pr again.`);
      }
      const gate = await dodGateForRun(ctx, run.run_id, { git, ...(deps.policy ? { policy: deps.policy } : {}) });
      const bypassed = !gate.ok && input.allowDodBypass === true;
      if (!gate.ok && !bypassed) {
        const checks = gate.failed_checks.slice(0, 4).map((c) => `${c.code}: ${c.message}`).join('; ');
        throw new AgentprError('gate_failed', `the DoD gate blocked the approval: ${checks}. Fix the run, or pass --allow-dod-bypass in an emergency (audited).`, { details: { dod_gate: gate } });
      }
      // Resolved before the request is consumed: without GitHub access nothing may change.
      const github = typeof deps.github === 'function' ? await deps.github() : deps.github;
      if (!(await consumePrRequest(ctx.db, request.id, iso(ctx.clock())))) {
        await refuseSuperseded(ctx, run.run_id, request.id, requestFile);
        throw new AgentprError('refused', `request ${requestFile} was used by another approval just now; a request opens one PR.`);
      }
      if (bypassed) {
        await addAuditRecord(ctx.db, { kind: 'dod_bypass', runId: run.run_id, actor: ctx.actor, detail: { request_file: requestFile, head_sha: request.head_sha, failed_checks: gate.failed_checks } }, ctx.clock);
        ctx.log.warn('DoD gate bypassed', { run_id: run.run_id, failed_checks: gate.failed_checks.map((c) => c.code) });
      }
      const started = ctx.clock().getTime();
      let created;
      try {
        created = await github.createPullRequest({
          owner: run.owner,
          repo: run.repo,
          title: request.title,
          body: request.body,
          head: request.head,
          headOwner: request.head_owner,
          base: request.base,
          draft: request.draft === 1,
        });
      } catch (error) {
        const failure = githubFailure(error);
        await recordAttempt(ctx.db, { runId: run.run_id, step: 'pr_create', exitCode: 1, stdout: '', stderr: failure.message, durationMs: ctx.clock().getTime() - started }, ctx.clock);
        const applied = await applyEvent(
          ctx.db,
          run.run_id,
          { event: { type: 'worker.step.failed', step: 'pr_create', reason_code: 'pr_create_failed', error_message: failure.message, actor: ctx.actor } },
          ctx.clock,
        );
        throw new AgentprError('external_failed', `creating the PR failed: ${failure.message} The run is now ${applied.state}; fix the cause, retry --target-state PUSHED and request again.`, {
          details: { state: applied.state, pr_url: null },
          cause: error,
        });
      }
      const pr = created.pullRequest;
      const mode: 'created' | 'already_exists' = created.alreadyExists ? 'already_exists' : 'created';
      if (pr.headSha.toLowerCase() !== request.head_sha.toLowerCase()) {
        await rejectMovedHead(ctx, github, { runId: run.run_id, owner: run.owner, repo: run.repo, requestFile, approvedSha: request.head_sha, pr, mode, started });
      }
      await recordAttempt(
        ctx.db,
        { runId: run.run_id, step: 'pr_create', exitCode: 0, stdout: JSON.stringify({ mode, pr_number: pr.number, pr_url: pr.url }), stderr: '', durationMs: ctx.clock().getTime() - started },
        ctx.clock,
      );
      const result = await inTransaction(ctx.db, async (trx) => {
        const [linked] = await applyEvents(trx, run.run_id, [{ event: { type: 'command.pr.linked', pr_number: pr.number, actor: ctx.actor }, idempotencyKey: `pr-open:${request.id}:linked` }], ctx.clock);
        if (pr.url) await addArtifact(trx, { runId: run.run_id, type: 'pr_url', uri: pr.url, metadata: { pr_number: pr.number } }, ctx.clock);
        const artifacts = await listArtifacts(trx, run.run_id, { type: 'pr_open_request', limit: 50 });
        const artifact = artifacts.find((a) => a.uri === requestFile);
        if (artifact) await updateArtifactMetadata(trx, artifact.id, { consumed_at: iso(ctx.clock()), pr_number: pr.number });
        return linked!;
      }).catch((error: unknown) => {
        throw new AgentprError('refused', `PR #${pr.number} (${pr.url}) was opened but linking it failed: ${(error as Error).message} Link it with link-pr --pr-number ${pr.number}.`, {
          details: { pr_number: pr.number, pr_url: pr.url },
          cause: error,
        });
      });
      return {
        ok: true as const,
        mode,
        pr_number: pr.number,
        pr_url: pr.url || null,
        state: result.state,
        dod_gate: { ok: gate.ok, bypassed, snapshot: gate.snapshot ?? null, failed_checks: gate.failed_checks },
      };
    },
    ctx.clock,
  ).catch(leaseError);
}
