import { formatDuration } from '@agentpr/reports/format-duration';
import type { Inbox, InboxItem, InboxReason } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { clip } from '../render.js';
import { flag, int } from '../values.js';

const HEADINGS: Record<InboxReason, string> = {
  pr_approval: 'PR awaiting approval',
  pr_request_needed: 'PR request to (re-)issue',
  changes_requested: 'review requests changes',
  ci_red: 'CI red',
  escalation: 'escalated to a human (NEEDS_HUMAN_REVIEW)',
  paused: 'paused',
};

function relative(at: string | null, now: number): string {
  const ms = at === null ? NaN : Date.parse(at) - now;
  if (!Number.isFinite(ms)) return at ?? 'unknown';
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

/** Why one run waits, in a line (two with a failing test). */
function why(item: InboxItem, now: number): string {
  switch (item.reason) {
    case 'pr_approval':
      return `"${clip(item.title, 70)}" at ${item.head_sha.slice(0, 7)}, expires ${relative(item.expires_at, now)}`;
    case 'pr_request_needed':
      return item.why === 'missing' ? 'pushed, no PR request yet' : item.why === 'expired' ? `request expired ${relative(item.expires_at, now)}` : 'request stale: pushed again since';
    case 'changes_requested':
      return `a review requests changes${item.pr_number !== null ? ` on PR #${item.pr_number}` : ''}`;
    case 'ci_red':
      return `CI failed${item.pr_number !== null ? ` on PR #${item.pr_number}` : ''}: ${item.failing_checks.length > 0 ? item.failing_checks.join(', ') : '(check names not recorded)'}`;
    case 'escalation': {
      const test = item.failing_tests[0];
      const failing = test ? `\n      failing test: ${test.name}${test.before_agent ? ' (failed before the agent too)' : ''}${test.excerpt ? `: ${clip(test.excerpt.replace(/\s+/g, ' '), 120)}` : ''}` : '';
      return `${clip(item.last_error ?? 'no reason recorded', 120)}${item.last_stage ? ` (at ${item.last_stage})` : ''}${failing}`;
    }
    case 'paused':
      return `paused${item.paused_from ? ` from ${item.paused_from}` : ''}`;
    default: {
      const never: never = item;
      return never;
    }
  }
}

/** The inbox as text: one block per reason, each run with why it waits and its next command. */
export function inboxText(inbox: Inbox, now: number): string {
  if (inbox.total === 0) return 'nothing needs a human now';
  const lines = [`${inbox.total} run${inbox.total === 1 ? ' needs' : 's need'} a human:`];
  for (const group of inbox.groups) {
    lines.push('', `${HEADINGS[group.reason]} (${group.items.length})`);
    for (const item of group.items) {
      lines.push(`  ${item.run_id}  ${item.owner}/${item.repo}  ${item.state}, since ${relative(item.since, now)}`);
      lines.push(`      ${why(item, now)}`);
      lines.push(`      next: ${item.next_command}`);
    }
  }
  return lines.join('\n');
}

/** `agentpr inbox`: what needs a human now, grouped by reason, each with its next command. */
export const command: CommandSpec = {
  name: 'inbox',
  summary: 'List what needs a human now, grouped by reason (PR approval, review changes, CI red, escalation, paused), with the next command.',
  example: 'agentpr inbox',
  options: {
    limit: { type: 'string', value: 'N', description: 'most runs read per state (default 100)' },
    'skip-github': { type: 'boolean', description: 'do not ask GitHub for failing check names the store lacks' },
  },
  async run(ctx, values) {
    const { buildInbox } = await import('@agentpr/orchestrator');
    const app = await ctx.app();
    const inbox = await buildInbox(app, { limit: int(values, 'limit', { min: 1, default: 100 }), askGitHub: !flag(values, 'skip-github') });
    const { kind: _kind, ...output } = inbox;
    return { output, text: inboxText(inbox, app.clock().getTime()) };
  },
};
