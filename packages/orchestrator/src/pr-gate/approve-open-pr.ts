import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DodCheck, DodPolicy } from '@agentpr/runtime-analysis';
import type { RunState } from '@agentpr/state-machine';
import { addAuditRecord, consumePrRequest, getPrRequestByFile, getRun, iso, latestPrRequest, leaseHolder, StoreError, withLease, type PrRequestRow } from '@agentpr/store';
import { gateStop, type GateStop } from '../citizenship/gate-stop.js';
import { checkRunGates } from '../citizenship/gates.js';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { requireGitHub } from '../github-sync/require-github.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { ensureLocalWorkspace } from '../workspace/ensure-local-workspace.js';
import { localRunOf } from '../workspace/local-run.js';
import { confirmTokenMatches } from './confirm-token.js';
import { dodGateDocument, dodGateForRun, type DodGateVerdict, type DodSnapshot } from './dod-gate.js';
import { remoteBranchHead } from './git-reads.js';
import { openPullRequest } from './open-pull-request.js';
import { readRequestFile } from './request-file.js';

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
  /** `--ignore-limits`: open the PR although a PR limit or the schedule window holds it; audited. For emergencies. */
  ignoreLimits?: boolean | undefined;
}

/** What a human overrode for one approval (each audited when used). */
export interface ApprovalOverrides {
  allowDodBypass: boolean;
  ignoreLimits?: boolean | undefined;
}

/** Options of {@link approveOpenPr}: what the caller decides, not the operator. GitHub comes from `ctx.github`. */
export interface ApproveOpenPrOptions {
  /** Thresholds for digests that predate `policy_used`; default the run's effective policy from the policy file. */
  policy?: DodPolicy | undefined;
  /** How long the run lease is held; default 5 minutes. */
  leaseMs?: number | undefined;
}

/** The PR a successful approval opened, or found already open on GitHub for the same head. */
export interface OpenedPullRequest {
  pr_number: number;
  pr_url: string | null;
  /** The run's state after linking: CI_WAIT. */
  state: RunState;
  /** The DoD gate the approval passed, or failed and bypassed (then audited). */
  dod_gate: DodGateVerdict;
  bypassed: boolean;
}

/**
 * What an approval did: opened the PR (`opened`), found GitHub already had it open for this head
 * (`already_open`), found the run already linked by this request (`already_linked`, nothing changed), or was stopped
 * by a gate just before opening (`gated`: a PR limit or the schedule window holds it — nothing opened, the request
 * stays valid —, or the repository was archived or went inactive — SKIPPED).
 * Refusals — no `--confirm`, a wrong, used, superseded or expired token, a moved branch, a failed DoD gate, a
 * failed creation — throw `AgentprError`. {@link approveOpenPrReport} renders the `approve-open-pr` document.
 */
export type ApproveOpenPrResult =
  | { kind: 'already_linked'; state: 'CI_WAIT'; pr_number: number }
  | ({ kind: 'opened' } & OpenedPullRequest)
  | ({ kind: 'already_open' } & OpenedPullRequest)
  | ({ kind: 'gated'; run_id: string; request_file: string } & GateStop);

/** The `approve-open-pr` JSON document. */
export type ApproveOpenPrReport =
  | { ok: true; already_linked: true; state: 'CI_WAIT'; pr_number: number }
  | (Omit<Extract<ApproveOpenPrResult, { kind: 'gated' }>, 'kind'> & { ok: false; gated: true })
  | {
    ok: true;
    mode: 'created' | 'already_exists';
    pr_number: number;
    pr_url: string | null;
    state: RunState;
    dod_gate: { ok: boolean; bypassed: boolean; snapshot: DodSnapshot | null; failed_checks: DodCheck[] };
  };

/** The `approve-open-pr` JSON document of a result, as the CLI prints it and the bot shows it. */
export function approveOpenPrReport(result: ApproveOpenPrResult): ApproveOpenPrReport {
  if (result.kind === 'already_linked') return { ok: true, already_linked: true, state: result.state, pr_number: result.pr_number };
  if (result.kind === 'gated') {
    const { kind: _gated, ...stop } = result;
    return { ok: false, gated: true, ...stop };
  }
  const gate = dodGateDocument(result.dod_gate);
  return {
    ok: true,
    mode: result.kind === 'opened' ? 'created' : 'already_exists',
    pr_number: result.pr_number,
    pr_url: result.pr_url,
    state: result.state,
    dod_gate: { ok: gate.ok, bypassed: result.bypassed, snapshot: gate.snapshot ?? null, failed_checks: gate.failed_checks },
  };
}

/** Refuses a request that a newer request of the same run replaced (issue 13): only the newest is approvable. */
export async function refuseSuperseded(ctx: AppContext, runId: string, requestId: number, requestFile: string): Promise<void> {
  const latest = await latestPrRequest(ctx.db, runId);
  if (latest && latest.id !== requestId) {
    throw new AgentprError('refused', `request ${requestFile} was replaced by the newer request ${latest.request_file}; only a run's newest PR request can be approved. Approve that one with its own token.`, {
      details: { newer_request_file: latest.request_file },
    });
  }
}

function leaseError(error: unknown): never {
  if (error instanceof StoreError && error.code === 'lease_held') throw new AgentprError('lease_held', error.message, { details: error.data });
  if (error instanceof StoreError && error.code === 'refused') throw new AgentprError('refused', error.message, { details: error.data });
  throw error;
}

/** A request that passed the checks before the lease, with its run; `linked` when the request already opened the run's PR. */
export interface CheckedRequest {
  requestFile: string;
  request: PrRequestRow;
  run: { run_id: string; owner: string; repo: string };
  linked?: ApproveOpenPrResult;
}

/** The checks before the lease: the request file, the token, single use, the newest request and the expiry. */
async function checkRequest(ctx: AppContext, input: ApproveOpenPrInput): Promise<CheckedRequest> {
  if (!input.confirm) throw new AgentprError('refused', 'approve-open-pr needs --confirm: it opens a pull request on GitHub. Check the request, then add --confirm.');
  const found = await getRun(ctx.db, input.runId);
  if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
  await assertWorkspaceInsideRoot(ctx, found.run);
  const requestFile = resolve(input.requestFile);
  const request = await getPrRequestByFile(ctx.db, input.runId, requestFile);
  // The stored request decides (title, body, head, token hash); the file is its copy for people. A request made on
  // another host sharing the database has its file there, not here (issue 20): the stored one is approved as is.
  if (!request || existsSync(requestFile)) {
    const file = readRequestFile(requestFile);
    if (file.run_id !== input.runId) throw new AgentprError('refused', `request file ${requestFile} belongs to run ${file.run_id}, not ${input.runId}.`);
  }
  const token = input.confirmToken?.trim();
  if (!token) throw new AgentprError('usage', '--confirm-token is required: use the token request-open-pr printed.');
  if (!request) throw new AgentprError('not_found', `request ${requestFile} is not recorded for run ${input.runId}; run request-open-pr again.`);
  if (!confirmTokenMatches(token, request.confirm_token_sha256)) {
    throw new AgentprError('refused', 'the confirm token does not match this request. Use the token request-open-pr printed with it.');
  }
  const { run, state } = found;
  if (state.current_state === 'CI_WAIT' && run.pr_number !== null && request.consumed_at !== null) {
    return { requestFile, request, run, linked: { kind: 'already_linked', state: 'CI_WAIT', pr_number: run.pr_number } };
  }
  if (request.consumed_at !== null) {
    throw new AgentprError('refused', `request ${requestFile} was already used (approved or rejected) at ${request.consumed_at}; a request opens one PR. Run request-open-pr again.`);
  }
  await refuseSuperseded(ctx, run.run_id, request.id, requestFile);
  const expires = Date.parse(request.expires_at);
  if (Number.isNaN(expires)) throw new AgentprError('invalid_input', `request expires_at ${request.expires_at} is not a timestamp; run request-open-pr again.`);
  if (ctx.clock().getTime() > expires && !input.allowExpired) {
    throw new AgentprError('refused', `request ${requestFile} expired at ${request.expires_at}. Run request-open-pr again, or pass --allow-expired.`);
  }
  return { requestFile, request, run };
}

/**
 * Under the lease: the run is PUSHED, its workspace is local (rebuilt when another host held it last), the fork
 * branch is still at the requested head, and the DoD gate passes (or is bypassed).
 */
async function checkPushedHead(
  ctx: AppContext,
  runId: string,
  request: PrRequestRow,
  allowDodBypass: boolean,
  options: ApproveOpenPrOptions,
): Promise<DodGateVerdict> {
  const current = await getRun(ctx.db, runId);
  if (current?.state.current_state !== 'PUSHED') {
    throw new AgentprError('refused', `run ${runId} is in ${current?.state.current_state}; approve-open-pr needs PUSHED.`, { details: { state: current?.state.current_state } });
  }
  // Another host may have worked the run last: its workspace is rebuilt here first (issue 20).
  await ensureLocalWorkspace(ctx, runId);
  const workspace = localRunOf(ctx, current).run.workspace_dir;
  if (!existsSync(workspace)) throw new AgentprError('not_found', `workspace not found: ${workspace}. Run run-prepare to rebuild it.`);
  const remote = await remoteBranchHead(ctx.git, workspace, 'origin', request.head);
  if (remote.kind === 'unreadable') throw new AgentprError('external_failed', `cannot read branch ${request.head} on origin: ${remote.error}`);
  const at = remote.kind === 'at' ? remote.sha : null;
  if (at !== request.head_sha.toLowerCase()) {
    throw new AgentprError('refused', `branch ${request.head} on origin is at ${at ?? '(missing)'}, not the requested ${request.head_sha}; the branch moved after the request. Run request-open-pr again.`);
  }
  const gate = await dodGateForRun(ctx, runId, { policy: options.policy, prText: { title: request.title, body: request.body } });
  if (gate.kind === 'failed' && !allowDodBypass) {
    const checks = gate.failed_checks.slice(0, 4).map((c) => `${c.code}: ${c.message}`).join('; ');
    throw new AgentprError('gate_failed', `the DoD gate blocked the approval: ${checks}. Fix the run, or pass --allow-dod-bypass in an emergency (audited).`, { details: { dod_gate: dodGateDocument(gate) } });
  }
  return gate;
}

/**
 * The second half of the PR gate. With `--confirm` and the request's token it re-checks,
 * in order: the request file, the token (SHA-256, constant time), the already-linked shortcut, single use, the
 * expiry, the state (PUSHED), that the fork branch is still at the requested head SHA, and the DoD gate with the
 * request's title and body (unless bypassed — then an audit record is written). Only then, under the run lease, it
 * consumes the request atomically, opens the PR from `<fork-owner>:<branch>` through `ctx.github`, records a
 * `pr_create` attempt and links the PR (`command.pr.linked` → CI_WAIT). A failed creation moves the run to
 * NEEDS_HUMAN_REVIEW with the reason. GitHub is asked for its client only after every check, so a missing token
 * does not hide them.
 *
 * @example
 * const result = await approveOpenPr(ctx, { runId, requestFile, confirmToken: 'A1B2…', confirm: true });
 * if (result.kind !== 'already_linked') console.log(result.pr_url);
 */
export async function approveOpenPr(ctx: AppContext, input: ApproveOpenPrInput, options: ApproveOpenPrOptions = {}): Promise<ApproveOpenPrResult> {
  const checked = await checkRequest(ctx, input);
  if (checked.linked) return checked.linked;
  return openCheckedRequest(ctx, checked, { allowDodBypass: input.allowDodBypass === true, ignoreLimits: input.ignoreLimits === true }, options);
}

/**
 * The part of an approval both ways of approving share (the CLI's token, the bot's confirmed card): under the run
 * lease, the run is PUSHED, the fork branch is still at the requested head and the DoD gate passes (or is bypassed,
 * audited); then the approval gates (etiquette: the PR limits and the schedule window, checked again because the PR
 * opens now) may stop it with `gated`, leaving the request unused; else the request is consumed atomically and the PR
 * opened through `ctx.github`. `checked` passed the caller's own checks (token or card binding, single use, newest
 * request, expiry).
 */
export async function openCheckedRequest(
  ctx: AppContext,
  checked: CheckedRequest,
  overrides: ApprovalOverrides,
  options: ApproveOpenPrOptions = {},
): Promise<ApproveOpenPrResult> {
  const { allowDodBypass } = overrides;
  const { requestFile, request, run } = checked;
  const runId = run.run_id;
  const holder = ctx.leaseHolder ?? leaseHolder('approve-open-pr', ctx.env);
  return withLease<ApproveOpenPrResult>(
    ctx.db,
    runId,
    holder,
    options.leaseMs ?? 5 * 60_000,
    async () => {
      const gate = await checkPushedHead(ctx, runId, request, allowDodBypass, options);
      const gates = await checkRunGates(ctx, { runId, phase: 'pr_approve', ignoreLimits: overrides.ignoreLimits === true });
      const stop = gateStop(gates, runId);
      if (stop) return { kind: 'gated', run_id: runId, request_file: requestFile, ...stop };
      // Resolved before the request is consumed: without GitHub access nothing may change.
      const github = await requireGitHub(ctx);
      if (!(await consumePrRequest(ctx.db, request.id, iso(ctx.clock())))) {
        await refuseSuperseded(ctx, runId, request.id, requestFile);
        throw new AgentprError('refused', `request ${requestFile} was used by another approval just now; a request opens one PR.`);
      }
      const bypassed = gate.kind === 'failed';
      if (gate.kind === 'failed') {
        await addAuditRecord(ctx.db, { kind: 'dod_bypass', runId, actor: ctx.actor, detail: { request_file: requestFile, head_sha: request.head_sha, failed_checks: gate.failed_checks } }, ctx.clock);
        ctx.log.warn('DoD gate bypassed', { run_id: runId, failed_checks: gate.failed_checks.map((c) => c.code) });
      }
      const pr = await openPullRequest(ctx, github, { runId, owner: run.owner, repo: run.repo, requestFile }, request);
      const opened: OpenedPullRequest = { pr_number: pr.prNumber, pr_url: pr.prUrl, state: pr.state, dod_gate: gate, bypassed };
      return pr.created ? { kind: 'opened', ...opened } : { kind: 'already_open', ...opened };
    },
    ctx.clock,
  ).catch(leaseError);
}
