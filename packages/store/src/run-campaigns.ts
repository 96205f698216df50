import type { Db } from './schema.js';

/** The most campaign names {@link listRunCampaigns} reads by default. */
const DEFAULT_CAMPAIGN_LIMIT = 200;

/**
 * The distinct campaign names runs were created under, in name order, at most `limit`. Read as a loose index scan
 * of `idx_run_states_campaign_state` (one index seek per name: `min(campaign) where campaign > previous`), so it
 * costs the number of campaigns, not the number of runs. Runs without a campaign are not listed.
 *
 * @example
 * await listRunCampaigns(db) // → ['autumn', 'spring-cleanup']
 */
export async function listRunCampaigns(db: Db, options: { limit?: number } = {}): Promise<string[]> {
  const limit = options.limit ?? DEFAULT_CAMPAIGN_LIMIT;
  const names: string[] = [];
  let after: string | null = null;
  while (names.length < limit) {
    let query = db.selectFrom('run_states').select((eb) => eb.fn.min('campaign').as('name')).where('campaign', 'is not', null);
    if (after !== null) query = query.where('campaign', '>', after);
    const row = await query.executeTakeFirst();
    const name = row?.name ?? null;
    if (name === null) break;
    names.push(name);
    after = name;
  }
  return names;
}

/** True when at least one run was created under the campaign (its exact name): one index seek. */
export async function campaignHasRuns(db: Db, campaign: string): Promise<boolean> {
  const row = await db.selectFrom('run_states').select('run_id').where('campaign', '=', campaign).limit(1).executeTakeFirst();
  return row !== undefined;
}
