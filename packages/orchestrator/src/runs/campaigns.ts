import * as v from 'valibot';
import { loadPolicy } from '@agentpr/policy';
import { campaignHasRuns, listRunCampaigns } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { policyError } from '../policy-error.js';
import { campaignFor } from '../workspace/workspace-shared.js';

/** A campaign name, the same rule as the policy file's `campaigns` keys: 1-64 letters, digits, ".", "_", "-", starting with a letter or digit. */
export const CAMPAIGN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The campaign a run names (`create-run --campaign`, an import entry's `campaign`), validated at the edge. */
export const CampaignNameSchema = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.nonEmpty('must not be blank'),
  v.regex(CAMPAIGN_NAME_PATTERN, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
);

/** The campaign every run belongs to when nothing else names one. */
export const DEFAULT_CAMPAIGN = 'default';

/** Where a known campaign was found. */
export type CampaignSource = 'policy' | 'campaign_dir' | 'default' | 'runs';

/** A campaign agentpr knows, with where it knows it from. */
export interface KnownCampaign {
  name: string;
  sources: CampaignSource[];
}

/** The most names an "unknown campaign" message lists. */
const LISTED_MAX = 20;

async function policyCampaigns(ctx: Pick<AppContext, 'paths'>): Promise<string[]> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  return Object.keys(loaded.policy.campaigns);
}

/**
 * The campaigns agentpr knows: the names in the policy file's `campaigns` section, the name of the campaign folder
 * in use (`--campaign-dir`), `default`, and every campaign that already has runs. Names that differ only in case are
 * one campaign (the policy matches them so); the first spelling found is kept, in that order. Sorted by name,
 * case-insensitively.
 *
 * @example
 * await knownCampaigns(ctx) // → [{ name: 'default', sources: ['default'] }, { name: 'renovate', sources: ['policy', 'runs'] }]
 */
export async function knownCampaigns(ctx: Pick<AppContext, 'paths' | 'db'>): Promise<KnownCampaign[]> {
  const byKey = new Map<string, KnownCampaign>();
  const add = (name: string, source: CampaignSource) => {
    const key = name.toLowerCase();
    const known = byKey.get(key) ?? { name, sources: [] };
    if (!known.sources.includes(source)) known.sources.push(source);
    byKey.set(key, known);
  };
  for (const name of await policyCampaigns(ctx)) add(name, 'policy');
  add((await campaignFor(ctx)).name, 'campaign_dir');
  add(DEFAULT_CAMPAIGN, 'default');
  for (const name of await listRunCampaigns(ctx.db)) add(name, 'runs');
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, known]) => known);
}

/** How a refused name is told: one line, the known names, and the two ways to make it known. */
function unknownCampaign(name: string, known: readonly KnownCampaign[], where: string): AgentprError {
  const names = known.map((k) => k.name);
  const listed = names.length > LISTED_MAX ? `${names.slice(0, LISTED_MAX).join(', ')}, … (${names.length - LISTED_MAX} more)` : names.join(', ');
  return new AgentprError(
    'invalid_input',
    `${where}unknown campaign ${name}; known: ${listed}; add it to the policy file's campaigns section or run with --campaign-dir pointing at its folder`,
  );
}

/**
 * Checks that each named campaign is known (see {@link knownCampaigns}) and returns the spelling to record for each
 * (the known one, so `Renovate` and `renovate` stay one campaign). The cheap sources (the campaign folder in use,
 * `default`, the policy) are asked first; runs only with one index seek per name. Unknown: `invalid_input` naming
 * the first unknown campaign (prefixed by `where(name)`) and the known ones.
 *
 * @example
 * await resolveCampaigns(ctx, ['renovate']) // → Map { 'renovate' => 'renovate' }, or throws "unknown campaign …"
 */
export async function resolveCampaigns(ctx: Pick<AppContext, 'paths' | 'db'>, names: readonly string[], where: (name: string) => string = () => ''): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  const pending = [...new Set(names)];
  if (pending.length === 0) return resolved;
  const inUse = (await campaignFor(ctx)).name;
  let policy: string[] | undefined;
  for (const name of pending) {
    const key = name.toLowerCase();
    if (key === inUse.toLowerCase()) resolved.set(name, inUse);
    else if (key === DEFAULT_CAMPAIGN) resolved.set(name, DEFAULT_CAMPAIGN);
    else {
      policy ??= await policyCampaigns(ctx);
      const named = policy.find((p) => p.toLowerCase() === key);
      if (named !== undefined) resolved.set(name, named);
      else if (await campaignHasRuns(ctx.db, name)) resolved.set(name, name);
      else {
        const other = (await listRunCampaigns(ctx.db)).find((r) => r.toLowerCase() === key);
        if (other === undefined) throw unknownCampaign(name, await knownCampaigns(ctx), where(name));
        resolved.set(name, other);
      }
    }
  }
  return resolved;
}
