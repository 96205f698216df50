import type { AppContext } from '../context.js';
import { approveOpenPr } from '../github/approve-open-pr.js';
import type { DodFallbackPolicy } from '../github/dod-gate.js';
import { requireGitHubClient } from '../github/github-access.js';
import type { ApprovePr } from './bot-commands.js';

/**
 * The bot's `/approve_pr`: the approve-open-pr use case in process (W44) with `confirm` set, the GitHub client
 * built from the bot's environment (`GITHUB_TOKEN`/`GH_TOKEN` or `gh auth token`), and no doctor run per
 * command. Refusals (wrong or expired token, moved branch, DoD gate) throw `AgentprError`, which the bot
 * reports as "Approval failed: …".
 *
 * @example
 * await runTelegramBot(ctx, { ...options, approvePr: approvePrInProcess() }, chat);
 */
export function approvePrInProcess(options: { githubApiUrl?: string | undefined; policy?: DodFallbackPolicy | undefined } = {}): ApprovePr {
  return async (ctx: AppContext, input) => {
    const github = await requireGitHubClient(ctx, { apiUrl: options.githubApiUrl });
    const result = await approveOpenPr(
      ctx,
      { runId: input.runId, requestFile: input.requestFile, confirmToken: input.token, confirm: true },
      { github, ...(options.policy ? { policy: options.policy } : {}) },
    );
    return result as unknown as Record<string, unknown>;
  };
}
