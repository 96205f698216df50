import { buildInbox, type InboxItem, type InboxReason } from '@agentpr/orchestrator';
import { pendingPrRequests, type PendingPrRequest } from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';

/** The most runs read per state (the inbox's limit) and PR requests read. */
export const APPROVALS_LIMIT = 100;

/** The PR request an approval item is about (never its token: only the token's hash is stored, and it is not read). */
export interface ApprovalRequest {
  id: number;
  title: string;
  created_at: string | null;
  expires_at: string;
  head_sha: string;
}

/** One run that waits for a person: why, since when, and how to get it past (CLI and bot), read-only. */
export interface ApprovalItem {
  run_id: string;
  owner: string;
  repo: string;
  state: string;
  reason: InboxReason;
  /** One line: what the person is asked to decide (redacted; may hold names that came from outside). */
  why: string;
  /** More lines: failing checks or tests, the last error (redacted). */
  details: string[];
  /** When the run last changed state. */
  since: string;
  request: ApprovalRequest | null;
  /** The exact CLI command (the inbox's `next_command`); placeholders in capitals where a secret goes. */
  cli: string;
  /** The bot command that does the same in an allowed chat, or null when the bot has none. */
  bot: string | null;
}

/** The items of one reason, in the inbox's order. */
export interface ApprovalGroup {
  reason: InboxReason;
  title: string;
  items: ApprovalItem[];
}

/** What the pending approvals page shows. */
export interface ApprovalsView {
  total: number;
  groups: ApprovalGroup[];
}

/** The heading of each reason's group. */
export const REASON_TITLES: Readonly<Record<InboxReason, string>> = {
  pr_approval: 'PR requests to approve',
  pr_request_needed: 'Pushed runs that need a (new) PR request',
  changes_requested: 'Reviews requesting changes',
  ci_red: 'CI failing on the PR',
  escalation: 'Escalated to a person',
  paused: 'Paused',
};

const prText = (n: number | null): string => (n === null ? 'the PR' : `PR #${n}`);

/** Why the item waits, and its detail lines; text that came from outside goes through `redact`. */
function explain(item: InboxItem, redact: (s: string) => string): { why: string; details: string[] } {
  switch (item.reason) {
    case 'pr_approval':
      return { why: 'A PR request waits for approval.', details: [] };
    case 'pr_request_needed': {
      const why = { missing: 'No PR request was made for this push yet.', expired: 'Its PR request expired.', stale: 'The run pushed again after its PR request.' };
      return { why: why[item.why], details: item.why === 'expired' && item.expires_at ? [`Expired at ${item.expires_at}`] : [] };
    }
    case 'changes_requested':
      return { why: `A review on ${prText(item.pr_number)} requested changes.`, details: [] };
    case 'ci_red':
      return {
        why: `CI failed on ${prText(item.pr_number)}.`,
        details: [item.failing_checks.length > 0 ? `Failing checks: ${redact(item.failing_checks.join(', '))}` : 'The failing checks were not recorded.'],
      };
    case 'escalation':
      return {
        why: `The run was escalated${item.last_stage ? ` from ${item.last_stage}` : ''}.`,
        details: [
          ...(item.last_error ? [`Last error: ${redact(item.last_error)}`] : []),
          ...item.failing_tests.map((t) => `Failing test: ${redact(t.name)}${t.before_agent ? ' (already failed before the agent)' : ''}`),
        ],
      };
    case 'paused':
      return { why: `Paused${item.paused_from ? ` from ${item.paused_from}` : ''}.`, details: [] };
    default: {
      const never: never = item;
      return never;
    }
  }
}

/**
 * The bot command (apps/bot) that does what the CLI command does, in a chat allowed to: `/approve_pr` shows the
 * approval card (Approve, then Confirm), `/retry` and `/resume` act directly. Null where the bot has none (requesting
 * a PR, a fix round of a run still ITERATING).
 */
export function botCommand(item: InboxItem): string | null {
  switch (item.reason) {
    case 'pr_approval':
      return `/approve_pr ${item.run_id}`;
    case 'pr_request_needed':
      return null;
    case 'changes_requested':
    case 'ci_red':
      return item.state === 'NEEDS_HUMAN_REVIEW' ? `/retry ${item.run_id} ITERATING` : null;
    case 'escalation':
      return `/retry ${item.run_id} IMPLEMENTING`;
    case 'paused':
      return `/resume ${item.run_id}`;
    default: {
      const never: never = item;
      return never;
    }
  }
}

function requestOf(item: InboxItem, requests: ReadonlyMap<number, PendingPrRequest>, redact: (s: string) => string): ApprovalRequest | null {
  if (item.reason !== 'pr_approval') return null;
  const row = requests.get(item.request_id);
  return { id: item.request_id, title: redact(item.title), created_at: row?.created_at ?? null, expires_at: item.expires_at, head_sha: item.head_sha };
}

/**
 * What waits for a person, from `buildInbox` (grouped by reason, each with the exact next command) and
 * `pendingPrRequests` (when each PR request was made). Read-only: the inbox is built without asking GitHub
 * (`askGitHub: false`), so the page makes no network call and writes nothing; no confirm token is ever read.
 */
export async function approvalsView(deps: DashboardDeps): Promise<ApprovalsView> {
  const [inbox, requests] = await Promise.all([
    buildInbox(deps.app, { limit: APPROVALS_LIMIT, askGitHub: false }),
    pendingPrRequests(deps.db, { limit: APPROVALS_LIMIT }),
  ]);
  const byId = new Map(requests.map((r) => [r.id, r]));
  const groups = inbox.groups.map((g) => ({
    reason: g.reason,
    title: REASON_TITLES[g.reason],
    items: g.items.map((item): ApprovalItem => ({
      run_id: item.run_id,
      owner: item.owner,
      repo: item.repo,
      state: item.state,
      reason: item.reason,
      ...explain(item, deps.redact),
      since: item.since,
      request: requestOf(item, byId, deps.redact),
      cli: deps.redact(item.next_command),
      bot: botCommand(item),
    })),
  }));
  return { total: inbox.total, groups };
}
