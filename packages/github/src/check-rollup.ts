/** How one CI signal counts in a roll-up. */
export type CheckVerdict = 'success' | 'failure' | 'pending';

/** The roll-up of every CI signal of one commit. */
export interface CheckRollup {
  /** `success` only when there is at least one signal and all are successful; `null` while anything is pending. */
  conclusion: 'success' | 'failure' | null;
  total: number;
  successes: number;
  failures: number;
  pending: number;
}

const ROLLUP_FAILURE = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure', 'stale']);
const SUCCESS = new Set(['success', 'neutral', 'skipped']);
const WEBHOOK_FAILURE = new Set(['failure', 'timed_out', 'cancelled', 'action_required', 'startup_failure']);

function lower(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/**
 * Classifies one check run or status context. Accepts the client's `CheckItem`s and GitHub's own shapes (REST
 * or GraphQL `statusCheckRollup` items). An in-progress check run is pending, never success; anything
 * unrecognised is pending.
 */
export function classifyCheckItem(item: unknown): CheckVerdict {
  if (!item || typeof item !== 'object') return 'pending';
  const o = item as Record<string, unknown>;
  const isCheckRun = o.kind === 'check_run' || o.__typename === 'CheckRun' || (o.kind === undefined && 'status' in o && !('state' in o));
  if (isCheckRun) {
    if (lower(o.status) !== 'completed') return 'pending';
    const conclusion = lower(o.conclusion);
    if (ROLLUP_FAILURE.has(conclusion)) return 'failure';
    if (SUCCESS.has(conclusion)) return 'success';
    return 'pending';
  }
  if (o.kind === 'status' || o.__typename === 'StatusContext' || 'state' in o) {
    const state = lower(o.state);
    if (state === 'success') return 'success';
    if (state === 'failure' || state === 'error') return 'failure';
    return 'pending';
  }
  return 'pending';
}

/**
 * Rolls up a commit's CI signals: any failure → `failure`; else anything pending → `null`; else, with at least
 * one signal, `success`. A single green suite among pending ones is not success.
 *
 * @example
 * rollUpChecks([{ kind: 'check_run', name: 'ci', status: 'in_progress', conclusion: null }]).conclusion // null
 */
export function rollUpChecks(items: unknown): CheckRollup {
  const list = Array.isArray(items) ? items : [];
  let successes = 0;
  let failures = 0;
  let pending = 0;
  for (const item of list) {
    const verdict = classifyCheckItem(item);
    if (verdict === 'success') successes++;
    else if (verdict === 'failure') failures++;
    else pending++;
  }
  const total = list.length;
  const conclusion = failures > 0 ? 'failure' : pending > 0 ? null : total > 0 ? 'success' : null;
  return { conclusion, total, successes, failures, pending };
}

/**
 * The verdict of one webhook `check_run`/`check_suite`/`workflow_run` conclusion: `success`,
 * `failure`, or `null` when it is not actionable (pending, `stale`, missing).
 */
export function webhookConclusion(conclusion: unknown): 'success' | 'failure' | null {
  const value = lower(conclusion);
  if (SUCCESS.has(value)) return 'success';
  if (WEBHOOK_FAILURE.has(value)) return 'failure';
  return null;
}
