import { formatDuration } from '@agentpr/reports/format-duration';
import type { PendingPr } from '@agentpr/orchestrator';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { int } from '../values.js';

/** "in 12 min" / "3 min ago" for an expiry; the timestamp itself when it cannot be read. */
function expiry(at: string, now: number): string {
  const ms = Date.parse(at) - now;
  if (!Number.isFinite(ms)) return at;
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(-ms)} ago`;
}

const STATUS_TEXT: Record<PendingPr['status'], string> = { open: 'waiting', expired: 'EXPIRED: re-issue', stale: 'STALE: pushed again, re-issue' };

/** `agentpr pending-prs`: the PR requests waiting for a human, with their expiry and whether they went stale. */
export const command: CommandSpec = {
  name: 'pending-prs',
  summary: 'List the PR requests waiting for approval: run, repository, head, title, expiry, and whether each is stale.',
  example: 'agentpr pending-prs --limit 20',
  options: {
    limit: { type: 'string', value: 'N', description: 'how many (default 50)' },
  },
  async run(ctx, values) {
    const { listPendingPrs } = await import('@agentpr/orchestrator');
    const app = await ctx.app();
    const { requests } = await listPendingPrs(app, { limit: int(values, 'limit', { min: 1, default: 50 })! });
    const now = app.clock().getTime();
    const output = { requests: requests.map((r) => ({ ...r, stale: r.status === 'stale', expired: r.status === 'expired', expires_in: expiry(r.expires_at, now) })) };
    const text =
      requests.length === 0
        ? 'no PR requests are waiting'
        : [
          table(
            ['RUN', 'REPO', 'HEAD', 'TITLE', 'EXPIRES', 'STATUS'],
            requests.map((r) => [r.run_id, `${r.owner}/${r.repo}`, r.head_sha.slice(0, 7), clip(r.title, 50), expiry(r.expires_at, now), STATUS_TEXT[r.status]]),
          ),
          '',
          'approve with the token request-open-pr printed (agentpr approve-open-pr --run-id RUN --request-file FILE --confirm-token TOKEN --confirm) or the card in Telegram;',
          're-issue an expired or stale request with agentpr request-open-pr --run-id RUN (the old token stops working).',
        ].join('\n');
    return { output, text };
  },
};
