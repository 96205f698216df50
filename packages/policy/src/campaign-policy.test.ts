import { describe, expect, it } from 'vitest';
import { BUILTIN_CAMPAIGN_RULES, effectiveCampaignRules, priceFor } from './campaign-policy.js';
import { parseManagerPolicy } from './manager-policy.js';

function policyOf(value: unknown) {
  const r = parseManagerPolicy(value);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.policy;
}

function issuesOf(value: unknown): string[] {
  const r = parseManagerPolicy(value);
  return r.ok ? [] : r.issues;
}

describe('campaign rules (issue 17)', () => {
  it('without a policy, every campaign gets the respectful built-in rules', () => {
    const rules = effectiveCampaignRules(policyOf({}), { campaign: null, owner: 'o', repo: 'r' });
    expect(rules).toEqual({ campaign: 'default', ...BUILTIN_CAMPAIGN_RULES });
    expect(rules.ai_policy.actions).toEqual({ forbidden: 'skip', disclosure_required: 'disclose', issue_first: 'require_issue', allowed: 'disclose', unknown: 'disclose' });
    expect(rules.etiquette).toMatchObject({ max_open_prs_per_repo: 1, max_open_prs_per_owner: 3, max_prs_per_hour: 2, max_prs_per_day: 10 });
    expect(rules.stale_followup.enabled).toBe(false);
  });

  it('layers built-ins, campaign_defaults, the campaign (case-insensitive), then owner and repository etiquette overrides', () => {
    const policy = policyOf({
      campaign_defaults: { etiquette: { max_prs_per_day: 5, owner_overrides: { 'Octo-Org': { max_open_prs_per_owner: 1 } } }, ai_policy: { actions: { unknown: 'PROCEED' } } },
      campaigns: {
        Renovate: {
          duplicates: { keywords: ['renovate', 'dependency updates'], integration_name: 'Renovate' },
          etiquette: { max_prs_per_hour: 1, repo_overrides: { 'octo-org/Widgets': { max_open_prs_per_repo: 2, schedule: { time_zone: 'Europe/Berlin', windows: [{ days: ['Mon', 'tue'], start: '09:00', end: '17:00' }] } } } },
          stale_followup: { enabled: true, followup_after_days: 7 },
        },
      },
    });
    const widgets = effectiveCampaignRules(policy, { campaign: 'renovate', owner: 'octo-org', repo: 'widgets' });
    expect(widgets.campaign).toBe('renovate');
    expect(widgets.ai_policy.actions.unknown).toBe('proceed');
    expect(widgets.ai_policy.actions.forbidden).toBe('skip');
    expect(widgets.duplicates).toEqual({ enabled: true, keywords: ['renovate', 'dependency updates'], integration_name: 'Renovate', closed_within_days: 90, search_branches: true });
    expect(widgets.etiquette).toEqual({
      max_open_prs_per_repo: 2,
      max_open_prs_per_owner: 1,
      max_prs_per_hour: 1,
      max_prs_per_day: 5,
      skip_archived: true,
      max_inactive_days: 365,
      schedule: { time_zone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue'], start: '09:00', end: '17:00' }] },
    });
    expect(widgets.stale_followup).toMatchObject({ enabled: true, followup_after_days: 7, close_after_days: 14 });
    const other = effectiveCampaignRules(policy, { campaign: 'renovate', owner: 'someone', repo: 'widgets' });
    expect(other.etiquette).toMatchObject({ max_open_prs_per_repo: 1, max_open_prs_per_owner: 3, schedule: { time_zone: 'UTC', windows: [] } });
    const elsewhere = effectiveCampaignRules(policy, { campaign: 'example', owner: 'octo-org', repo: 'widgets' });
    expect(elsewhere.etiquette.max_prs_per_hour).toBe(2);
    expect(elsewhere.stale_followup.enabled).toBe(false);
  });

  it('refuses bad rules with one line per problem, naming the field', () => {
    expect(issuesOf({ campaigns: { 'bad name!': {} } })[0]).toMatch(/^campaigns\..*campaign name must be/);
    expect(issuesOf({ campaigns: { x: { etiquette: { max_prs_per_hour: -1 } } } })).toEqual(['campaigns.x.etiquette.max_prs_per_hour: must be at least 0 (got -1)']);
    expect(issuesOf({ campaign_defaults: { ai_policy: { actions: { forbidden: 'ignore' } } } })[0]).toMatch(/^campaign_defaults\.ai_policy\.actions\.forbidden: must be one of skip, disclose, require_issue, proceed/);
    expect(issuesOf({ campaign_defaults: { etiquette: { schedule: { time_zone: 'Mars/Olympus' } } } })[0]).toMatch(/time_zone: must be an IANA time zone/);
    expect(issuesOf({ campaign_defaults: { etiquette: { schedule: { windows: [{ days: ['mon'], start: '9am', end: '17:00' }] } } } })[0]).toMatch(/windows\.0\.start: must be HH:MM/);
    expect(issuesOf({ campaign_defaults: { stale_followup: { after: 3 } } })[0]).toMatch(/stale_followup\.after: unknown field; allowed: enabled, followup_after_days/);
    expect(issuesOf({ campaign_defaults: { duplicates: { keywords: [''] } } })[0]).toMatch(/duplicates\.keywords\.0: must not be blank/);
  });
});

describe('pricing (issue 17)', () => {
  it('normalises the price table and finds a price by model, then engine, then *', () => {
    const { pricing } = policyOf({
      pricing: { currency: 'EUR', models: { 'GPT-5-Codex': { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 }, codex: { input_per_mtok: 2, output_per_mtok: 8 }, '*': { input_per_mtok: 3, output_per_mtok: 15 } } },
    });
    expect(pricing.currency).toBe('EUR');
    expect(priceFor(pricing, 'gpt-5-codex', 'codex')).toEqual({ input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 });
    expect(priceFor(pricing, 'o4-mini', 'codex')).toEqual({ input_per_mtok: 2, cached_input_per_mtok: 2, output_per_mtok: 8 });
    expect(priceFor(pricing, null, 'claude')).toEqual({ input_per_mtok: 3, cached_input_per_mtok: 3, output_per_mtok: 15 });
    expect(priceFor(policyOf({}).pricing, 'gpt-5', 'codex')).toBeUndefined();
  });

  it('refuses a malformed price table', () => {
    expect(issuesOf({ pricing: { models: { x: { input_per_mtok: 'cheap', output_per_mtok: 1 } } } })).toEqual(['pricing.models.x.input_per_mtok: must be a number (got "cheap")']);
    expect(issuesOf({ pricing: { models: { x: { input_per_mtok: -1, output_per_mtok: 1 } } } })).toEqual(['pricing.models.x.input_per_mtok: must be at least 0 (got -1)']);
    expect(issuesOf({ pricing: { currency: 'dollars' } })[0]).toMatch(/pricing\.currency: must be a three-letter currency code/);
    expect(issuesOf({ pricing: { models: { x: { input_per_mtok: 1, output_per_mtok: 1, per_request: 2 } } } })[0]).toMatch(/pricing\.models\.x\.per_request: unknown field/);
    expect(issuesOf({ pricing: { models: [] } })[0]).toMatch(/pricing\.models: must be an object \(got an array\)/);
  });
});
