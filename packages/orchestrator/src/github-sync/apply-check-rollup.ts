import { rollUpChecks, type CheckRollup, type GitHubClient } from '@agentpr/github';
import { applyEvent, type ApplyResult } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { failingCheckNames, failingChecksField, type CheckVerdictEvent } from './failing-checks.js';
import { rollupKey, type RollupTask } from './github-events.js';

/** What a roll-up found and did. */
export interface RollupOutcome {
  task: RollupTask;
  rollup: CheckRollup;
  /** The event applied for a decided roll-up (success or failure); absent while checks are pending. */
  applied?: ApplyResult;
  /** The failing checks' names a failed roll-up recorded (bounded, cleaned); empty otherwise. */
  failingChecks: string[];
}

/**
 * Reads every check run and status of `task.headSha` and, when they are all complete, applies the verdict as
 * `github.check.completed` with the roll-up's natural key: all green moves CI_WAIT to REVIEW_WAIT,
 * any failure to ITERATING; pending changes nothing. The webhook runs it after replying to a successful check;
 * sync-github applies the same key, so a verdict lands once whichever sees it first. A failed roll-up records the
 * failing checks' names as `failing_checks` (at most 20, cleaned). Throws GitHub errors.
 */
export async function applyCheckRollup(ctx: AppContext, github: GitHubClient, task: RollupTask): Promise<RollupOutcome> {
  const items = await github.listChecksForRef({ owner: task.owner, repo: task.repo }, task.headSha);
  const rollup = rollUpChecks(items);
  if (!rollup.conclusion) return { task, rollup, failingChecks: [] };
  const failingChecks = rollup.conclusion === 'failure' ? failingCheckNames(items) : [];
  const event: CheckVerdictEvent = {
    type: 'github.check.completed',
    conclusion: rollup.conclusion,
    pr_number: task.prNumber,
    head_sha: task.headSha,
    actor: ctx.actor,
    ...failingChecksField(failingChecks),
  };
  const applied = await applyEvent(
    ctx.db,
    task.runId,
    {
      event,
      idempotencyKey: rollupKey(task.prNumber, task.headSha, rollup.conclusion),
      optional: true,
    },
    ctx.clock,
  );
  return { task, rollup, applied, failingChecks };
}
