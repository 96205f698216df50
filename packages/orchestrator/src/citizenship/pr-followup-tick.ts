import type { AppContext } from '../context.js';
import { sweepPrActivity } from './pr-followup.js';
import { prSweepSummary, type PrSweepSummary } from './pr-followup-types.js';

/**
 * The manager tick's PR follow-up sweep: one bounded `sweepPrActivity` under the tick's lease holder. Its errors are
 * logged and summarised, never thrown, so a GitHub outage or a bad template never stops the manager. Undefined when
 * there was nothing to look at.
 */
export async function prFollowupForTick(ctx: AppContext, options: { dryRun: boolean; holder: string }): Promise<PrSweepSummary | undefined> {
  try {
    const summary = prSweepSummary(await sweepPrActivity({ ...ctx, leaseHolder: options.holder }, { dryRun: options.dryRun }));
    // Without a token nothing can be read: said once per tick, quietly (sync-github and the doctor say it louder).
    if (summary.kind === 'no_github') ctx.log.info('pr follow-up: PRs wait to be read, but no GitHub token is configured');
    else for (const error of summary.errors) ctx.log.warn('pr follow-up: a PR could not be swept', { error });
    return summary.looked_at > 0 || summary.errors.length > 0 ? summary : undefined;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'unknown error';
    ctx.log.warn('pr follow-up: sweep failed', { error: message });
    return { kind: 'failed', looked_at: 0, counts: {}, errors: [message] };
  }
}
