import { addAuditRecord, consumePrRequest, getPrRequest, getRun, iso, type PrRequestRow, type RunWithState } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';
import { openCheckedRequest, type ApproveOpenPrOptions, type ApproveOpenPrResult } from './approve-open-pr.js';
import { prRequestStatus } from './request-status.js';

/** Which request a tap approves or rejects, and the head SHA the card showed: the approval is bound to both. */
export interface PrRequestDecisionInput {
  requestId: number;
  headSha: string;
}

/** What rejecting did: the request is closed, no PR was opened, the run stays PUSHED. */
export interface RejectPrRequestResult {
  kind: 'rejected';
  run_id: string;
  request_id: number;
  head_sha: string;
}

const short = (sha: string) => sha.slice(0, 7);

/** A one-line refusal for a request that is no longer open, saying what to do. */
function notOpen(request: PrRequestRow, run: RunWithState, status: Exclude<Awaited<ReturnType<typeof prRequestStatus>>, 'open'>): AgentprError {
  const again = `agentpr request-open-pr --run-id ${request.run_id}`;
  switch (status) {
    case 'used':
      return run.run.pr_number !== null
        ? new AgentprError('refused', `already approved: PR #${run.run.pr_number} is open for ${run.run.owner}/${run.run.repo}; a request opens one PR.`, { details: { reason: 'used' } })
        : new AgentprError('refused', `this request was already used (approved or rejected) at ${request.consumed_at}; ask for a new one with ${again}.`, { details: { reason: 'used' } });
    case 'replaced':
      return new AgentprError('refused', `this request was replaced by a newer one of ${request.run_id}; approve the newest request.`, { details: { reason: 'replaced' } });
    case 'stale':
      return new AgentprError('refused', `stale: ${request.run_id} pushed again or moved on (now ${run.state.current_state}) since this request for ${short(request.head_sha)}; ask again with ${again}.`, {
        details: { reason: 'stale' },
      });
    case 'expired':
      return new AgentprError('refused', `this request expired at ${request.expires_at}; re-issue it with ${again}.`, { details: { reason: 'expired' } });
    default: {
      const never: never = status;
      return never;
    }
  }
}

/** The request and its run, when the request is open and bound to `input.headSha`; otherwise a one-line refusal. */
async function openRequest(ctx: AppContext, input: PrRequestDecisionInput): Promise<{ request: PrRequestRow; run: RunWithState }> {
  const request = await getPrRequest(ctx.db, input.requestId);
  if (!request) throw new AgentprError('not_found', `PR request ${input.requestId} not found; ask for one with agentpr request-open-pr.`);
  const run = await getRun(ctx.db, request.run_id);
  if (!run) throw new AgentprError('not_found', `run ${request.run_id} not found. Use list-runs to see existing runs.`);
  if (request.head_sha.toLowerCase() !== input.headSha.trim().toLowerCase()) {
    throw new AgentprError('refused', `stale: the card shows head ${short(input.headSha)} but the request is for ${short(request.head_sha)}.`, { details: { reason: 'stale' } });
  }
  const status = await prRequestStatus(ctx, request);
  if (status !== 'open') throw notOpen(request, run, status);
  return { request, run };
}

/**
 * Approves a PR request from a confirmed approval card (the Telegram bot's Approve + Confirm taps): no token, the
 * caller has already checked that the person may approve. Bound to the request and the head SHA the card showed:
 * a used, replaced, stale (the run pushed again or moved on) or expired request is refused with a one-line
 * `AgentprError` (`details.reason`), before anything changes. Then, as for the CLI's token approval, under the run
 * lease the fork branch must still be at that head and the DoD gate pass, and the approval gates may hold it
 * (`gated`: a PR limit or the schedule window; the request stays open, so the card works again later); then the
 * request is consumed atomically (single use: of two confirms only one opens a PR) and the PR is opened through
 * `ctx.github`. The bot has no `--ignore-limits`.
 *
 * @example
 * const result = await approvePrRequest(ctx, { requestId: 7, headSha: 'abc123…' });
 * if (result.kind === 'opened') console.log(result.pr_url);
 */
export async function approvePrRequest(ctx: AppContext, input: PrRequestDecisionInput, options: ApproveOpenPrOptions = {}): Promise<ApproveOpenPrResult> {
  const { request, run } = await openRequest(ctx, input);
  await assertWorkspaceInsideRoot(ctx, run.run);
  return openCheckedRequest(ctx, { requestFile: request.request_file, request, run: run.run }, { allowDodBypass: false }, options);
}

/**
 * Rejects a PR request from its card: the request is closed (its token and card stop working), no PR is opened and
 * the run stays PUSHED, so `request-open-pr` can ask again after a fix. Audited (`pr_request_rejected`, with the
 * actor). The same refusals as {@link approvePrRequest} apply.
 */
export async function rejectPrRequest(ctx: AppContext, input: PrRequestDecisionInput): Promise<RejectPrRequestResult> {
  const { request } = await openRequest(ctx, input);
  if (!(await consumePrRequest(ctx.db, request.id, iso(ctx.clock())))) {
    throw new AgentprError('refused', 'this request was used or replaced just now; nothing was rejected.', { details: { reason: 'used' } });
  }
  await addAuditRecord(ctx.db, { kind: 'pr_request_rejected', runId: request.run_id, actor: ctx.actor, detail: { request_id: request.id, head_sha: request.head_sha } }, ctx.clock);
  return { kind: 'rejected', run_id: request.run_id, request_id: request.id, head_sha: request.head_sha };
}
