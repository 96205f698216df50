import { existsSync, rmSync } from 'node:fs';
import { ownerFromRemoteUrl } from '@agentpr/workspace';
import { addArtifact, getRun, inTransaction, insertPrRequest, iso, latestArtifact, latestPrRequest, leaseHolder, StoreError, withLease, type RunRow, type RunWithState } from '@agentpr/store';
import { gateStop, type GateStop } from '../citizenship/gate-stop.js';
import type { GateName, GateOutcome } from '../citizenship/gate-types.js';
import { checkRunGates } from '../citizenship/gates.js';
import { gateBlockedStage, reenterAfterGate } from '../citizenship/reenter-after-gate.js';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { ensureLocalWorkspace } from '../workspace/ensure-local-workspace.js';
import { localRunOf } from '../workspace/local-run.js';
import { hashConfirmToken, newConfirmToken } from './confirm-token.js';
import { currentBranch, headSha as readHeadSha, remoteBranchHead, remoteUrl, upstreamDefaultBranch } from './git-reads.js';
import { withCitizenship } from './pr-text-citizenship.js';
import { resolvePrText, type PrText } from './resolve-pr-text.js';

/** The input of {@link requestOpenPr} (the `request-open-pr` flags). */
export interface RequestOpenPrInput {
  runId: string;
  /** The PR title; omitted, it is rendered from the campaign template (see resolvePrText). */
  title?: string | undefined;
  /** At most one of `body` and `bodyFile`; neither renders the campaign template with the run's content. */
  body?: string | undefined;
  bodyFile?: string | undefined;
  base?: string | undefined;
  head?: string | undefined;
  draft?: boolean | undefined;
  /** Minutes the confirm token is valid; default 30, at least 1. */
  confirmTtlMinutes?: number | undefined;
  /** `--allow-duplicate`: the duplicates found are recorded and overridden (audited). */
  allowDuplicate?: boolean | undefined;
  /** `--ignore-limits`: PR limits and the schedule window are recorded and overridden (audited). For emergencies. */
  ignoreLimits?: boolean | undefined;
}

/** One gate's verdict as a request shows it. */
export interface GateSummary {
  gate: GateName;
  outcome: GateOutcome;
  reason_code: string | null;
}

/**
 * A written PR-open request. The token appears here and nowhere else. Refusals throw `AgentprError`;
 * {@link requestOpenPrReport} renders the result as the `request-open-pr` JSON document.
 */
export interface RequestedPr {
  kind: 'requested';
  run_id: string;
  /** The `pr_requests` row id (what the Telegram approval card refers to). */
  request_id: number;
  request_file: string;
  confirm_token: string;
  expires_at: string;
  /** What approval opens: exactly the stored title and body. */
  preview: { title: string; body: string; base: string; head: string; draft: boolean };
  /** Where the title and body came from (flag, campaign template, commit, default) and the repository template used. */
  pr_text: Omit<PrText, 'title' | 'body'>;
  next_command: string;
  /** The open request this one replaced (asking again re-issues: the old token and card stop working), or null. */
  replaced: { request_file: string; expires_at: string } | null;
  /** What the gates said (AI policy, etiquette, duplicates), in the order they ran. */
  gates: GateSummary[];
  /** What the body carries because of the repository's policy: the AI disclosure, and the issue it closes. */
  citizenship: { disclosure: boolean; issue_number: number | null };
}

/** A gate held, blocked or skipped the run: no request was written (see {@link GateStop}). */
export type GatedPrRequest = { kind: 'gated'; run_id: string } & GateStop;

/** What request-open-pr did: wrote the request, or was stopped by a gate. */
export type RequestOpenPrResult = RequestedPr | GatedPrRequest;

/** The `request-open-pr` JSON document: the request (`ok: true`), or the gate that stopped it (`ok: false, gated: true`). */
export type RequestOpenPrReport = (Omit<RequestedPr, 'kind'> & { ok: true }) | (Omit<GatedPrRequest, 'kind'> & { ok: false; gated: true });

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** The run's branch as it is on the fork: what the request binds to. */
interface PushedBranch {
  base: string;
  head: string;
  headSha: string;
  headOwner: string;
}

/**
 * Checks that the fork branch is exactly the workspace HEAD and the push the run recorded, and resolves the base
 * (flag, prepare artefact, `upstream/HEAD`, GitHub's default branch, else `main`) and the fork owner.
 */
async function pushedBranch(ctx: AppContext, run: Pick<RunRow, 'run_id' | 'owner' | 'repo' | 'workspace_dir'>, input: RequestOpenPrInput): Promise<PushedBranch> {
  const cwd = run.workspace_dir;
  const head = str(input.head) ?? (await currentBranch(ctx.git, cwd));
  if (!head) throw new AgentprError('refused', `the workspace ${cwd} is not on a branch; pass --head BRANCH.`);
  const prepared = await latestArtifact(ctx.db, run.run_id, 'workspace_prepared');
  const base = str(input.base) ?? str(prepared?.metadata.base_branch) ?? (await upstreamDefaultBranch(ctx.git, cwd)) ?? (await githubDefaultBranch(ctx, run)) ?? 'main';
  const headSha = (await readHeadSha(ctx.git, cwd))?.toLowerCase();
  if (!headSha) throw new AgentprError('refused', `cannot read HEAD in ${cwd}; is it a git repository?`);
  const remote = await remoteBranchHead(ctx.git, cwd, 'origin', head);
  if (remote.kind === 'unreadable') throw new AgentprError('external_failed', `cannot read branch ${head} on origin: ${remote.error}`);
  if (remote.kind === 'missing') throw new AgentprError('refused', `branch ${head} is not on origin; push it (run-finish) before requesting a PR.`);
  if (remote.sha !== headSha) {
    throw new AgentprError('refused', `branch ${head} on origin is at ${remote.sha} but the workspace HEAD is ${headSha}; the branch is not pushed or has moved. Push again (run-finish) and re-run request-open-pr.`);
  }
  const branch = await latestArtifact(ctx.db, run.run_id, 'branch');
  const recorded = str(branch?.metadata.sha)?.toLowerCase();
  if (recorded && recorded !== headSha) {
    throw new AgentprError('refused', `the run recorded its push at ${recorded} but ${head} is at ${headSha}; run run-finish so the run knows what was pushed.`);
  }
  const originUrl = await remoteUrl(ctx.git, cwd, 'origin');
  const headOwner = str(prepared?.metadata.fork_owner) ?? (originUrl ? ownerFromRemoteUrl(originUrl) || undefined : undefined);
  if (!headOwner) throw new AgentprError('refused', `cannot tell the fork owner: no fork_owner in the prepare artefact and no owner in the origin URL.`);
  return { base, head, headSha, headOwner };
}

/** The upstream's default branch from GitHub, when a token is configured and GitHub answers; else undefined. */
async function githubDefaultBranch(ctx: AppContext, run: { owner: string; repo: string }): Promise<string | undefined> {
  // Only a hint: without a token, or with a refused API URL, the base falls back to `main`.
  const github = await ctx.github.client().catch(() => undefined);
  return github ? github.getDefaultBranch({ owner: run.owner, repo: run.repo }).catch(() => undefined) : undefined;
}

/** The `request-open-pr` JSON document of a result: `{ ok: true, run_id, request_file, confirm_token, … }`, or the gate's stop. */
export function requestOpenPrReport(result: RequestOpenPrResult): RequestOpenPrReport {
  if (result.kind === 'gated') {
    const { kind: _gated, ...stop } = result;
    return { ok: false, gated: true, ...stop };
  }
  const { kind: _kind, ...rest } = result;
  return { ok: true, ...rest };
}

/**
 * The run may ask for a PR: it is PUSHED, or a gate of a PR request blocked it there (NEEDS_HUMAN_REVIEW with a
 * gate's error), which this request may get past (`--allow-duplicate`, a linked issue). Otherwise a refusal.
 */
function requireRequestable(found: RunWithState): 'PUSHED' | 'gate_blocked' {
  const state = found.state.current_state;
  if (state === 'PUSHED') return 'PUSHED';
  if (gateBlockedStage(found, 'pr_request') === 'PUSHED') return 'gate_blocked';
  throw new AgentprError('refused', `run ${found.run.run_id} is in ${state}; request-open-pr needs PUSHED (run run-finish first).`, { details: { state } });
}

/**
 * The first half of the PR gate: checks that the run is PUSHED and that its branch on the
 * fork is exactly the workspace HEAD, asks the gates of a PR request (AI policy, etiquette, duplicates; see
 * checkRunGates), then writes a PR-open request bound to that head SHA — a request file in
 * `<data>/reports`, a `pr_requests` row and a `pr_open_request` artefact — with a single-use confirm token of
 * 128 bits that is stored only as its SHA-256 and expires after the TTL. The state does not change. The title and
 * body are the operator's or rendered from the campaign template with the run's content (resolvePrText); a generic
 * title or a body with unfilled `{placeholders}` is refused before anything is written. The request stores the
 * text, so approval opens exactly what `preview` shows. Asking again re-issues: the newer request replaces an open
 * one (expired or stale after a new push), whose token and approval card then stop working (`replaced`).
 * A gate that stops the request returns `gated` with nothing written: `held` (a PR limit or the schedule; the run
 * is unchanged), `blocked` (a duplicate, an issue the repository wants first; the run waits in NEEDS_HUMAN_REVIEW,
 * and this command, once past the gate with `--allow-duplicate` or a linked issue, puts it back to PUSHED) or
 * `skip_run` (SKIPPED). The body gains what the repository's policy asks for: `Closes #N` and the AI disclosure.
 * All of it runs under the run lease, in the workspace on this host, rebuilt first when another host held it last.
 *
 * @example
 * const req = await requestOpenPr(ctx, { runId: 'run_1' }); // title and body rendered from the campaign
 * if (req.kind === 'gated') throw new Error(req.message);
 * console.log(req.preview.title, req.preview.body);
 * console.log(req.next_command); // agentpr approve-open-pr --run-id run_1 --request-file … --confirm-token … --confirm
 */
export async function requestOpenPr(ctx: AppContext, input: RequestOpenPrInput): Promise<RequestOpenPrResult> {
  const found = await getRun(ctx.db, input.runId);
  if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
  await assertWorkspaceInsideRoot(ctx, localRunOf(ctx, found).run);
  requireRequestable(found);
  const ttl = input.confirmTtlMinutes ?? 30;
  if (!Number.isInteger(ttl) || ttl < 1) throw new AgentprError('usage', `--confirm-ttl-minutes must be an integer of at least 1 (got ${ttl}).`);
  const holder = ctx.leaseHolder ?? leaseHolder('request-open-pr', ctx.env);
  return withLease(ctx.db, input.runId, holder, 10 * 60_000, () => requestUnderLease(ctx, input, ttl), ctx.clock).catch((error: unknown) => {
    if (error instanceof StoreError && error.code === 'lease_held') throw new AgentprError('lease_held', error.message, { details: error.data });
    throw error;
  });
}

/** The request, under the run lease: the workspace is made local first (rebuilt when another host held it last). */
async function requestUnderLease(ctx: AppContext, input: RequestOpenPrInput, ttl: number): Promise<RequestOpenPrResult> {
  await ensureLocalWorkspace(ctx, input.runId);
  const found = await getRun(ctx.db, input.runId);
  if (!found) throw new AgentprError('not_found', `run ${input.runId} not found. Use list-runs to see existing runs.`);
  const { run } = localRunOf(ctx, found);
  const from = requireRequestable(found);
  if (!existsSync(run.workspace_dir)) throw new AgentprError('not_found', `workspace not found: ${run.workspace_dir}. Run run-prepare to rebuild it.`);

  const { base, head, headSha, headOwner } = await pushedBranch(ctx, run, input);
  const { title, body: text, ...textFrom } = await resolvePrText(ctx, run, input, { base, head, headSha });
  // The gates come after every check that changes nothing: a refusal above leaves the run as it was.
  const gates = await checkRunGates(ctx, { runId: run.run_id, phase: 'pr_request', allowDuplicate: input.allowDuplicate === true, ignoreLimits: input.ignoreLimits === true });
  const stop = gateStop(gates, run.run_id);
  if (stop) return { kind: 'gated', run_id: run.run_id, ...stop };
  if (from === 'gate_blocked') await reenterAfterGate(ctx, run.run_id, 'PUSHED');
  const body = withCitizenship(text, { disclosure: gates.disclosure, issueNumber: gates.issueNumber });
  const token = newConfirmToken();
  const now = ctx.clock();
  const createdAt = iso(now);
  const expiresAt = iso(new Date(now.getTime() + ttl * 60_000));
  const draft = input.draft === true;
  const request = {
    run_id: run.run_id,
    title,
    body,
    base,
    head,
    head_owner: headOwner,
    head_sha: headSha,
    draft,
    confirm_token_sha256: hashConfirmToken(token),
    created_at: createdAt,
    expires_at: expiresAt,
  };
  const requestFile = ctx.artifacts.writeNew(ctx.paths.reportsDir, `${run.run_id}_pr_open_request_`, '.json', `${JSON.stringify(request, null, 2)}\n`);
  const previous = await latestPrRequest(ctx.db, run.run_id);
  let requestId = 0;
  try {
    await inTransaction(ctx.db, async (trx) => {
      requestId = (await insertPrRequest(trx, { ...request, draft: draft ? 1 : 0, request_file: requestFile, consumed_at: null })).id;
      await addArtifact(trx, { runId: run.run_id, type: 'pr_open_request', uri: requestFile, metadata: { base, head, head_sha: headSha, expires_at: expiresAt } }, ctx.clock);
    });
  } catch (error) {
    // Nothing refers to the file now; do not leave a request that cannot be approved.
    rmSync(requestFile, { force: true });
    throw error;
  }
  return {
    kind: 'requested',
    run_id: run.run_id,
    request_id: requestId,
    request_file: requestFile,
    confirm_token: token,
    expires_at: expiresAt,
    preview: { title, body, base, head, draft },
    pr_text: textFrom,
    next_command: `agentpr approve-open-pr --run-id ${run.run_id} --request-file ${requestFile} --confirm-token ${token} --confirm`,
    replaced: previous && previous.consumed_at === null ? { request_file: previous.request_file, expires_at: previous.expires_at } : null,
    gates: gates.verdicts.map((v) => ({ gate: v.gate, outcome: v.outcome, reason_code: v.reasonCode })),
    citizenship: { disclosure: gates.disclosure !== null, issue_number: gates.issueNumber },
  };
}
