import { effectivePolicy, type ManagerPolicy } from '@agentpr/policy';
import type { DodPolicy } from '@agentpr/runtime-analysis';
import { getPrRequest, getRun } from '@agentpr/store';
import type { AppContext } from '../context.js';
import type { GitHubPort } from '../ports.js';
import { approvePrRequest, rejectPrRequest } from '../pr-gate/approve-pr-request.js';
import { requireGitHub } from '../github-sync/require-github.js';
import type { ApprovePr } from './approve-pr.js';
import { prRequestCard } from './pr-request-card.js';

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

/** The DoD thresholds of the bot's policy for the request's repository; undefined without a policy. */
async function policyForRequest(ctx: AppContext, policy: ManagerPolicy | undefined, requestId: number): Promise<DodPolicy | undefined> {
  if (!policy) return undefined;
  const request = await getPrRequest(ctx.db, requestId);
  const found = request ? await getRun(ctx.db, request.run_id) : undefined;
  return found ? dodPolicyFor(policy, found.run.owner, found.run.repo) : undefined;
}

/**
 * The bot's approval use cases in process: the card of a request, approval of a confirmed card
 * (approvePrRequest) and rejection, with GitHub from `options.github` or the bot's port, the DoD thresholds of the
 * bot's own policy file for the run's repository, and no doctor run per tap. A missing GitHub token refuses an
 * approval before anything else.
 *
 * @example
 * await runTelegramBot(ctx, { ...options, approvePr: approvePrInProcess({ github: createGitHubPort(env, { apiUrl }), policy }) }, chat);
 */
export function approvePrInProcess(options: ApprovePrInProcessOptions = {}): ApprovePr {
  const withGitHub = (ctx: AppContext): AppContext => (options.github ? { ...ctx, github: options.github } : ctx);
  return {
    card: async (ctx, requestId) => prRequestCard(ctx, requestId, { policy: await policyForRequest(ctx, options.policy, requestId) }),
    approve: async (botCtx, input) => {
      const ctx = withGitHub(botCtx);
      await requireGitHub(ctx);
      return approvePrRequest(ctx, input, { policy: await policyForRequest(ctx, options.policy, input.requestId) });
    },
    reject: (ctx, input) => rejectPrRequest(ctx, input),
  };
}
