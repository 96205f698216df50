import * as v from 'valibot';
import { buildInbox, type InboxItem } from '@agentpr/orchestrator';
import { defineTool } from './define-tool.js';
import { ago, clip, MAX_ITEMS, plural } from './tool-data.js';

/** The facts of one item's reason, cut (titles, errors and check names are run data). */
function facts(item: InboxItem): Record<string, unknown> {
  switch (item.reason) {
    case 'pr_approval':
      return { title: clip(item.title), head_sha: item.head_sha.slice(0, 12), expires_at: item.expires_at };
    case 'pr_request_needed':
      return { why: item.why, expires_at: item.expires_at };
    case 'changes_requested':
      return { pr_number: item.pr_number };
    case 'ci_red':
      return { pr_number: item.pr_number, failing_checks: item.failing_checks.slice(0, 10).map((c) => clip(c, 100)) };
    case 'escalation':
      return { last_error: clip(item.last_error), last_stage: item.last_stage, failing_tests: item.failing_tests.slice(0, 5).map((t) => clip(t.name, 150)) };
    case 'paused':
      return { paused_from: item.paused_from };
    default: {
      const never: never = item;
      return never;
    }
  }
}

/** `inbox`: what needs a human now, grouped by reason, each with its exact next command (`agentpr inbox`). */
export const inboxTool = defineTool({
  name: 'inbox',
  description:
    'What needs a human now: PR requests waiting for a person or to be re-issued, changes requested, red CI, escalated and paused runs, ' +
    'each with owner/repo, since when, and the exact next command.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({}),
  async run(ctx) {
    const inbox = await buildInbox(ctx, { limit: MAX_ITEMS });
    const now = ctx.clock();
    const items = inbox.groups.flatMap((g) => g.items).slice(0, MAX_ITEMS);
    return {
      data: {
        total: inbox.total,
        items: items.map((i) => ({
          reason: i.reason,
          run_id: i.run_id,
          repo: `${i.owner}/${i.repo}`,
          state: i.state,
          since: ago(i.since, now),
          next_command: clip(i.next_command),
          ...facts(i),
        })),
      },
      summary: inbox.total === 0 ? 'nothing needs a human' : `${plural(inbox.total, 'item')}: ${inbox.groups.map((g) => `${g.items.length} ${g.reason}`).join(', ')}`,
    };
  },
});
