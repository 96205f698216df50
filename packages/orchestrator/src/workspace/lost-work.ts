import { ATTEMPT_HISTORY_LIMIT, listAttempts, type Db } from '@agentpr/store';

/** The agent work a workspace held that never reached the fork. */
export interface UnpushedWork {
  /** The agent attempts (their numbers, oldest first) run since the workspace's last push, reset or rebuild. */
  attemptNos: number[];
  /** An attempt that passed its preflight and never recorded an end (its host died mid-flight), or null. */
  unfinishedAttemptNo: number | null;
}

/** Steps after which the workspace held nothing unpushed: a push, a reset to the last good point, a rebuild. */
const CLEAN_POINTS = new Set(['finish', 'workspace_reset', 'workspace_rebuild']);

/**
 * What the run's current workspace holds that no push carries: the agent attempts after the latest successful push
 * (run-finish), workspace reset or rebuild, and an attempt that started (its preflight passed) but never recorded an
 * end. The order is the attempts' own (ids are monotonic in one table), so no clock is compared across hosts.
 *
 * @example
 * const lost = await unpushedWork(ctx.db, 'run_1'); // { attemptNos: [3], unfinishedAttemptNo: 4 }
 */
export async function unpushedWork(db: Db, runId: string): Promise<UnpushedWork> {
  const attempts = await listAttempts(db, runId, { limit: ATTEMPT_HISTORY_LIMIT });
  const [latestAgent] = await listAttempts(db, runId, { limit: 1, step: 'agent' });
  const attemptNos: number[] = [];
  let unfinishedAttemptNo: number | null = null;
  for (const a of attempts) {
    if (CLEAN_POINTS.has(a.step) && a.exit_code === 0) break;
    if (a.step === 'agent') attemptNos.unshift(a.attempt_no);
    // Newest first: a passed preflight before any agent attempt is one whose agent never reported back.
    else if (a.step === 'preflight' && a.exit_code === 0 && attemptNos.length === 0 && unfinishedAttemptNo === null) {
      unfinishedAttemptNo = (latestAgent?.attempt_no ?? 0) + 1;
    }
  }
  return { attemptNos, unfinishedAttemptNo };
}
