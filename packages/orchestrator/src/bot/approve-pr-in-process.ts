import { effectivePolicy, type ManagerPolicy } from '@agentpr/policy';
import type { DodPolicy } from '@agentpr/runtime-analysis';
import { getRun } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { GitHubPort } from '../ports.js';
import { approveOpenPr, approveOpenPrReport } from '../pr-gate/approve-open-pr.js';
import { requireGitHub } from '../github-sync/require-github.js';
import type { ApprovePr } from './approve-pr.js';

/** Options of {@link approvePrInProcess}. */
export interface ApprovePrInProcessOptions {
  /** GitHub for the approvals, e.g. the app's port for `--github-api-url`; default the bot context's `ctx.github`. */
  github?: GitHubPort | undefined;
  /** The bot's policy file: the DoD thresholds of the run's repository. */
  policy?: ManagerPolicy | undefined;
}

function dodPolicyFor(policy: ManagerPolicy, owner: string, repo: string): DodPolicy {
  const { min_test_commands, max_changed_files, max_added_lines, skills_mode } = effectivePolicy(policy, owner, repo);
  return { min_test_commands, max_changed_files, max_added_lines, skills_mode };
}

/**
 * The bot's `/approve_pr`: the approve-open-pr use case in process (W44) with `confirm` set, GitHub from
 * `options.github` or the bot's port, the DoD thresholds of the bot's own policy file for the run's repository,
 * and no doctor run per command. A missing GitHub token is refused first, as before. Refusals (wrong or expired
 * token, moved branch, DoD gate) throw `AgentprError`, which the bot reports as "Approval failed: …". The answer
 * is the `approve-open-pr` document ({@link approveOpenPrReport}): `ok: true` with `mode` or `already_linked`.
 *
 * @example
 * await runTelegramBot(ctx, { ...options, approvePr: approvePrInProcess({ github: createGitHubPort(env, { apiUrl }), policy }) }, chat);
 */
export function approvePrInProcess(options: ApprovePrInProcessOptions = {}): ApprovePr {
  return async (botCtx: AppContext, input) => {
    const ctx = options.github ? { ...botCtx, github: options.github } : botCtx;
    await requireGitHub(ctx);
    const found = options.policy ? await getRun(ctx.db, input.runId) : undefined;
    const policy = options.policy && found ? dodPolicyFor(options.policy, found.run.owner, found.run.repo) : undefined;
    const result = await approveOpenPr(ctx, { runId: input.runId, requestFile: input.requestFile, confirmToken: input.token, confirm: true }, { policy });
    return approveOpenPrReport(result);
  };
}
