import type { Inbox, InboxItem, InboxReason } from '@agentpr/orchestrator';
import { expiryText } from './expiry-text.js';
import { shortSha } from './render-card.js';

/** The heading of each inbox group. */
export const INBOX_HEADINGS: Readonly<Record<InboxReason, string>> = {
  pr_approval: 'PR awaiting approval',
  pr_request_needed: 'PR request to (re-)issue',
  changes_requested: 'Review requests changes',
  ci_red: 'CI red',
  escalation: 'Escalated to a human',
  paused: 'Paused',
};

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The line under a run that says why it waits, by reason. */
function detail(item: InboxItem, now: Date): string {
  switch (item.reason) {
    case 'pr_approval':
      return `"${clip(item.title, 80)}" @ ${shortSha(item.head_sha)}, expires ${expiryText(item.expires_at, now)}`;
    case 'pr_request_needed':
      return item.why === 'missing' ? 'pushed, no PR request yet' : item.why === 'expired' ? `request expired ${expiryText(item.expires_at ?? '', now)}` : 'request stale: pushed again since';
    case 'changes_requested':
      return `a review requests changes${item.pr_number !== null ? ` on PR #${item.pr_number}` : ''}`;
    case 'ci_red':
      return `CI failed${item.pr_number !== null ? ` on PR #${item.pr_number}` : ''}: ${item.failing_checks.length > 0 ? item.failing_checks.slice(0, 3).join(', ') : 'check names not recorded'}`;
    case 'escalation': {
      const test = item.failing_tests[0];
      const failing = test ? `\n  failing test: ${test.name}${test.before_agent ? ' (failed before the agent too)' : ''}${test.excerpt ? ` — ${clip(test.excerpt.replace(/\s+/g, ' '), 160)}` : ''}` : '';
      return `${clip(item.last_error ?? 'no reason recorded', 200)}${item.last_stage ? ` (at ${item.last_stage})` : ''}${failing}`;
    }
    case 'paused':
      return `paused${item.paused_from ? ` from ${item.paused_from}` : ''}`;
    default: {
      const never: never = item;
      return never;
    }
  }
}

/** The bot's way to act on an item, where it has one. */
function botCommand(item: InboxItem): string | null {
  switch (item.reason) {
    case 'pr_approval':
      return `/approve_pr ${item.run_id}`;
    case 'paused':
      return `/resume ${item.run_id}`;
    case 'escalation':
      return `/show ${item.run_id}`;
    default:
      return null;
  }
}

/**
 * The inbox as the bot's plain-text reply: one block per reason, each run with why it waits and its next command
 * (the bot's command where there is one, else the CLI's).
 *
 * @example
 * inboxText(await buildInbox(ctx), new Date()) // "3 runs need you:\n\nPR awaiting approval (1)\n• run_1 octo/widgets …"
 */
export function inboxText(inbox: Inbox, now: Date): string {
  if (inbox.total === 0) return 'Nothing needs you now.';
  const lines = [`${inbox.total} run${inbox.total === 1 ? ' needs' : 's need'} you:`];
  for (const group of inbox.groups) {
    lines.push('', `${INBOX_HEADINGS[group.reason]} (${group.items.length})`);
    for (const item of group.items) {
      lines.push(`• ${item.run_id} ${item.owner}/${item.repo}: ${detail(item, now)}`);
      lines.push(`  next: ${botCommand(item) ?? item.next_command}`);
    }
  }
  return lines.join('\n');
}
