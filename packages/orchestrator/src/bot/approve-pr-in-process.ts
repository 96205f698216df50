import { effectivePolicy, type ManagerPolicy } from '@agentpr/policy';
import { getRun } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { approveOpenPr } from '../pr-gate/approve-open-pr.js';
import { requireGitHubClient } from '../adapters/github-access.js';
import type { ApprovePr } from './approve-pr.js';

/**
 * The bot's `/approve_pr`: the approve-open-pr use case in process (W44) with `confirm` set, the GitHub client
 * built from the bot's environment (`GITHUB_TOKEN`/`GH_TOKEN` or `gh auth token`), the DoD thresholds of the
 * bot's own policy file for the run's repository, and no doctor run per command. Refusals (wrong or expired
 * token, moved branch, DoD gate) throw `AgentprError`, which the bot reports as "Approval failed: …".
 *
 * @example
 * await runTelegramBot(ctx, { ...options, approvePr: approvePrInProcess({ policy }) }, chat);
 */
export function approvePrInProcess(options: { githubApiUrl?: string | undefined; policy?: ManagerPolicy | undefined } = {}): ApprovePr {
  return async (ctx: AppContext, input) => {
    const github = await requireGitHubClient(ctx, { apiUrl: options.githubApiUrl });
    let fallback;
    const found = options.policy ? await getRun(ctx.db, input.runId) : undefined;
    if (options.policy && found) {
      const eff = effectivePolicy(options.policy, found.run.owner, found.run.repo);
      fallback = { min_test_commands: eff.min_test_commands, max_changed_files: eff.max_changed_files, max_added_lines: eff.max_added_lines, skills_mode: eff.skills_mode };
    }
    const result = await approveOpenPr(
      ctx,
      { runId: input.runId, requestFile: input.requestFile, confirmToken: input.token, confirm: true },
      { github, ...(fallback ? { policy: fallback } : {}) },
    );
    return result as unknown as Record<string, unknown>;
  };
}
