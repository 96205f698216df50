import { iso, pushedHead as storePushedHead, recordDeliveryEvent, type ApplyResult, type Db, type DeliveryEvent, type DeliveryExecutor, type DeliveryRun } from '@agentpr/store';
import type { WebhookAction } from '@agentpr/github';
import type { AppContext } from '../context.js';
import { failingChecksField, type CheckVerdictEvent } from './failing-checks.js';

/** A roll-up to run after the reply: are all checks of this head complete and green? */
export interface RollupTask {
  runId: string;
  owner: string;
  repo: string;
  prNumber: number;
  headSha: string;
}

/** What one GitHub fact did to one run: the CLI result object plus how it counts. */
export interface GithubFactResult {
  ok: true;
  run_id: string;
  pr_number: number | null;
  /** Counted as ignored, not processed: nothing changed. */
  ignored?: true;
  event?: string;
  state?: string;
  duplicate?: boolean;
  applied?: boolean;
  reason?: string;
  message?: string;
}

/** The idempotency key of a roll-up verdict, shared by the webhook and sync-github so one head's verdict applies once. */
export function rollupKey(prNumber: number, headSha: string, conclusion: string): string {
  return `gh:rollup:${prNumber}:${headSha.toLowerCase()}:${conclusion}`;
}

/** `sha` of the run's latest `branch` artefact (the head it pushed), lower-cased. */
export async function pushedHead(db: Db, runId: string): Promise<string | null> {
  return (await storePushedHead(db, runId))?.toLowerCase() ?? null;
}

function fromApply(run: DeliveryRun, r: ApplyResult): GithubFactResult {
  const out: GithubFactResult = { ok: true, run_id: run.run_id, pr_number: run.pr_number, event: r.event_type, state: r.state };
  if (r.duplicate) return { ...out, ignored: true, duplicate: true, message: 'already recorded' };
  if (r.refused) return { ...out, ignored: true, applied: false, reason: 'invalid_transition', message: r.refused.message };
  if (r.applied === false) {
    const result: GithubFactResult = { ...out, applied: false, reason: r.reason ?? 'not_applied', ...(r.message ? { message: r.message } : {}) };
    // A success waiting for its roll-up is real progress, and so is a fact held for a PAUSED or escalated run
    // (resume acts on it); every other stored-only event changed nothing.
    return r.reason === 'awaiting_rollup' || r.reason === 'held' ? result : { ...result, ignored: true };
  }
  return out;
}

/**
 * Applies one mapped GitHub fact to one run inside the caller's transaction — the webhook's event path.
 * Failing checks move the run; a successful one is stored as `awaiting_rollup` and returns
 * a {@link RollupTask}, unless it is for another head (`stale_head_sha`); reviews, merges and closes apply as
 * events; a new PR head re-links a PUSHED run whose push it is, and so does a check of that head (first, so the
 * check then moves the run from CI_WAIT rather than being refused at PUSHED). Illegal transitions are stored with
 * `applied: false`, never thrown. `run` is kept current for the next fact in the same transaction. A failing
 * check records `failingChecks` (the names the delivery gave, already bounded and cleaned) as `failing_checks`.
 */
export async function applyGithubFact(
  trx: Db | DeliveryExecutor,
  ctx: Pick<AppContext, 'clock' | 'actor'>,
  run: DeliveryRun,
  action: WebhookAction,
  failingChecks: readonly string[] = [],
): Promise<{ result: GithubFactResult; rollup?: RollupTask }> {
  const actor = ctx.actor;
  const pr = run.pr_number;
  const now = iso(ctx.clock());
  const record = async (event: DeliveryEvent, key: string, storeOnly?: { reason: string; message: string }) =>
    fromApply(run, await recordDeliveryEvent(trx, run, { event, idempotencyKey: key, ...(storeOnly ? { storeOnly } : {}) }, now));
  switch (action.kind) {
    case 'ignore':
      return { result: { ok: true, ignored: true, run_id: run.run_id, pr_number: pr, message: action.message } };
    case 'check': {
      // A check for the pushed head shows GitHub has the push: a PUSHED run whose PR missed the re-link waits on CI first.
      if (pr !== null && run.snapshot.state === 'PUSHED' && action.headSha && run.pushedHead === action.headSha.toLowerCase()) {
        await record({ type: 'command.pr.linked', pr_number: pr, actor }, `gh:pr-head:${pr}:${run.pushedHead}`);
      }
      const event: DeliveryEvent = { type: 'github.check.completed', conclusion: action.conclusion, pr_number: pr, head_sha: action.headSha, actor };
      if (action.conclusion === 'failure') {
        const failed: CheckVerdictEvent = { ...event, ...failingChecksField(failingChecks) };
        return { result: await record(failed, action.idempotencyKey) };
      }
      const head = run.pushedHead;
      if (action.headSha && head && action.headSha.toLowerCase() !== head) return { result: await record(event, action.idempotencyKey) };
      const rollupHead = head ?? action.headSha;
      const result = await record(event, action.idempotencyKey, {
        reason: 'awaiting_rollup',
        message: 'one successful check does not move the run; the roll-up of every check of the head decides',
      });
      // Even when this suite's success was already recorded (check_run and check_suite of one suite share a key),
      // other checks may have finished since: roll up again; the roll-up's own key keeps it idempotent.
      if (pr === null || !rollupHead) return { result };
      return { result, rollup: { runId: run.run_id, owner: run.owner, repo: run.repo, prNumber: pr, headSha: rollupHead } };
    }
    case 'review':
      return { result: await record({ type: 'github.review.submitted', state: action.state, pr_number: pr, actor }, action.idempotencyKey) };
    case 'closed':
      if (pr === null) return { result: { ok: true, ignored: true, run_id: run.run_id, pr_number: pr, message: 'run has no PR' } };
      return { result: await record({ type: 'github.pull_request.closed', pr_number: pr, merged: action.merged, actor }, action.idempotencyKey) };
    case 'head_updated': {
      if (pr === null || run.snapshot.state !== 'PUSHED') {
        return { result: { ok: true, ignored: true, run_id: run.run_id, pr_number: pr, message: `a new PR head does not change a run in ${run.snapshot.state}` } };
      }
      if (run.pushedHead !== action.headSha.toLowerCase()) {
        return { result: { ok: true, ignored: true, run_id: run.run_id, pr_number: pr, reason: 'stale_head_sha', message: `PR head ${action.headSha} is not the run's pushed head ${run.pushedHead ?? '(none)'}` } };
      }
      return { result: await record({ type: 'command.pr.linked', pr_number: pr, actor }, action.idempotencyKey) };
    }
  }
}
