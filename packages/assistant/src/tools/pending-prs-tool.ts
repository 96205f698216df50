import * as v from 'valibot';
import { listPendingPrs, type PendingPr } from '@agentpr/orchestrator';
import { defineTool } from './define-tool.js';
import { limitArg } from './tool-args.js';
import { clip, plural } from './tool-data.js';

/** What a person does about a request: approve it with the card (never through the assistant), or re-issue it. */
function nextStep(p: PendingPr): string {
  return p.status === 'open'
    ? `a human approves it: /approve_pr ${p.run_id} in Telegram, or agentpr approve-open-pr --run-id ${p.run_id} with the confirm token`
    : `re-issue it: agentpr request-open-pr --run-id ${p.run_id}`;
}

/**
 * `pending_prs`: the PR requests waiting for a human (`agentpr pending-prs`). Never the confirm token or the request
 * file; the title is the agent's text and goes to the model as data.
 */
export const pendingPrsTool = defineTool({
  name: 'pending_prs',
  description:
    'List the pull-request requests waiting for a human: run, owner/repo, title, head commit, whether each is still open, expired or stale, ' +
    'and what the human does next. Only a human acts on them; no tool does.',
  tier: 'read',
  effect: 'read',
  args: v.strictObject({ limit: limitArg('requests', 20) }),
  async run(ctx, input) {
    const { requests } = await listPendingPrs(ctx, { limit: input.limit ?? 20 });
    return {
      data: {
        requests: requests.map((p) => ({
          run_id: p.run_id,
          repo: `${p.owner}/${p.repo}`,
          title: clip(p.title),
          base: clip(p.base, 100),
          head: clip(p.head, 100),
          head_sha: p.head_sha.slice(0, 12),
          status: p.status,
          created_at: p.created_at,
          expires_at: p.expires_at,
          next_step: nextStep(p),
        })),
      },
      summary: `${plural(requests.length, 'PR request')} waiting (${requests.filter((p) => p.status === 'open').length} open)`,
    };
  },
});
