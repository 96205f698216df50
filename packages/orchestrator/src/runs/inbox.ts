import type { RunState } from '@agentpr/state-machine';
import { getRun, listRuns, type RunListItem } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { listPendingPrs, type PendingPr } from '../pr-gate/list-pending-prs.js';
import { failingChecksOnGitHub, failingTests, latestGitHubFact, type InboxFailingTest } from './inbox-facts.js';

/** Why a run is in the inbox, in the order the inbox shows the groups. */
export const INBOX_REASONS = ['pr_approval', 'pr_request_needed', 'changes_requested', 'ci_red', 'escalation', 'paused'] as const;
export type InboxReason = (typeof INBOX_REASONS)[number];

/** What every inbox item says: the run, why it waits for a human, since when, and the exact next command. */
interface InboxItemBase {
  run_id: string;
  owner: string;
  repo: string;
  state: RunState;
  /** When the run last changed state. */
  since: string;
  next_command: string;
}

/** One run that needs a human now, with the data of its reason. */
export type InboxItem =
  | (InboxItemBase & { reason: 'pr_approval'; request_id: number; title: string; head: string; head_sha: string; expires_at: string })
  | (InboxItemBase & { reason: 'pr_request_needed'; why: 'missing' | 'expired' | 'stale'; expires_at: string | null })
  | (InboxItemBase & { reason: 'changes_requested'; pr_number: number | null })
  | (InboxItemBase & { reason: 'ci_red'; pr_number: number | null; failing_checks: string[] })
  | (InboxItemBase & { reason: 'escalation'; last_error: string | null; last_stage: RunState | null; failing_tests: InboxFailingTest[] })
  | (InboxItemBase & { reason: 'paused'; paused_from: string | null });

/** The inbox: items grouped by reason (groups without items left out), in {@link INBOX_REASONS} order. */
export interface Inbox {
  kind: 'inbox';
  total: number;
  groups: Array<{ reason: InboxReason; items: InboxItem[] }>;
}

/** Options of {@link buildInbox}. */
export interface InboxOptions {
  /** Most runs read per state. Default 100. */
  limit?: number | undefined;
  /** Ask GitHub for the failing checks' names when the stored verdict has none (default true; failures are ignored). */
  askGitHub?: boolean | undefined;
}

function base(run: RunListItem): InboxItemBase {
  return { run_id: run.run_id, owner: run.owner, repo: run.repo, state: run.current_state as RunState, since: run.updated_at, next_command: '' };
}

/** PUSHED runs: an open request to approve, or a request to (re-)issue. */
function pushedItems(pushed: RunListItem[], pending: PendingPr[]): InboxItem[] {
  const byRun = new Map(pending.map((p) => [p.run_id, p]));
  // A run that re-pushed to its open PR waits for CI, not for a PR request.
  return pushed.filter((run) => run.pr_number === null).map((run): InboxItem => {
    const request = byRun.get(run.run_id);
    if (request?.status === 'open') {
      const { request_id, title, head, head_sha, expires_at } = request;
      return { ...base(run), reason: 'pr_approval', request_id, title, head, head_sha, expires_at, next_command: request.next_command };
    }
    const why = request ? request.status : 'missing';
    return { ...base(run), reason: 'pr_request_needed', why, expires_at: request?.expires_at ?? null, next_command: `agentpr request-open-pr --run-id ${run.run_id}` };
  });
}

/** A run in ITERATING or NEEDS_HUMAN_REVIEW, by what GitHub said about its push; else an escalation. */
async function reviewItem(ctx: AppContext, run: RunListItem, askGitHub: boolean): Promise<InboxItem> {
  const fact = await latestGitHubFact(ctx, run.run_id);
  const fixRound = run.current_state === 'ITERATING' ? `agentpr drive --run-id ${run.run_id}` : `agentpr retry --run-id ${run.run_id} --target-state ITERATING`;
  if (fact.kind === 'ci_red') {
    // The names the verdict recorded when it arrived; GitHub is asked only when it recorded none.
    let checks = fact.failing_checks ?? [];
    if (fact.failing_checks === null && askGitHub && fact.head_sha) checks = await failingChecksOnGitHub(ctx, run, fact.head_sha);
    return { ...base(run), reason: 'ci_red', pr_number: fact.pr_number ?? run.pr_number, failing_checks: checks, next_command: fixRound };
  }
  if (fact.kind === 'changes_requested') return { ...base(run), reason: 'changes_requested', pr_number: fact.pr_number ?? run.pr_number, next_command: fixRound };
  const found = await getRun(ctx.db, run.run_id);
  return {
    ...base(run),
    reason: 'escalation',
    last_error: run.last_error,
    last_stage: found?.state.last_active_state ?? null,
    failing_tests: await failingTests(ctx, run.run_id),
    next_command: `agentpr inspect-run --run-id ${run.run_id}, then agentpr retry --run-id ${run.run_id} --target-state IMPLEMENTING`,
  };
}

/**
 * What needs a human now (`agentpr inbox`, the bot's `/inbox`), grouped by reason, each item with its exact next
 * command: a PR request to approve; a PUSHED run whose request is missing, expired or stale; a review requesting
 * changes or CI red with the failing checks (in ITERATING, or escalated to NEEDS_HUMAN_REVIEW because of it); any
 * other escalation with the failing tests the run digest names (`validation.failing_tests`, when present); a paused
 * run with the state it returns to. Reads the store; the failing checks' names come from the CI verdict event
 * (`failing_checks`, recorded by sync-github and the webhook), and GitHub is asked only when it has none.
 *
 * @example
 * const inbox = await buildInbox(ctx);
 * for (const group of inbox.groups) console.log(group.reason, group.items.map((i) => i.next_command));
 */
export async function buildInbox(ctx: AppContext, options: InboxOptions = {}): Promise<Inbox> {
  const limit = options.limit ?? 100;
  const askGitHub = options.askGitHub !== false;
  const read = (state: RunState) => listRuns(ctx.db, { limit, states: [state] });
  const [pushed, pending, iterating, escalated, paused] = await Promise.all([read('PUSHED'), listPendingPrs(ctx, { limit }), read('ITERATING'), read('NEEDS_HUMAN_REVIEW'), read('PAUSED')]);
  const items: InboxItem[] = pushedItems(pushed, pending.requests);
  for (const run of [...iterating, ...escalated]) {
    const item = await reviewItem(ctx, run, askGitHub);
    // ITERATING without a GitHub verdict is the manager's own work, not a human's.
    if (run.current_state === 'ITERATING' && item.reason === 'escalation') continue;
    items.push(item);
  }
  for (const run of paused) {
    const found = await getRun(ctx.db, run.run_id);
    items.push({ ...base(run), reason: 'paused', paused_from: found?.state.paused_from ?? null, next_command: `agentpr resume --run-id ${run.run_id}` });
  }
  const groups = INBOX_REASONS.map((reason) => ({ reason, items: items.filter((i) => i.reason === reason) })).filter((g) => g.items.length > 0);
  return { kind: 'inbox', total: items.length, groups };
}
