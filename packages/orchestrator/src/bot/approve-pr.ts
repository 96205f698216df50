import type { AppContext } from '../context.js';

/**
 * Opens the PR of a waiting request, in process (SPEC §8.6): the approve-open-pr use case with `confirm` set.
 * Returns its result object (`ok` says whether it succeeded); expected refusals may also throw `AgentprError`.
 */
export type ApprovePr = (ctx: AppContext, input: { runId: string; token: string; requestFile: string }) => Promise<Record<string, unknown>>;
