import * as v from 'valibot';

// Being a good citizen (issue 17): what each campaign does about a repository's AI-contribution policy, duplicates,
// PR etiquette and stale PRs, and the price table that turns tokens into money. The policy file holds
// `campaign_defaults` (every campaign), `campaigns.<name>` (one campaign, overriding the defaults field by field)
// and `pricing`. `effectiveCampaignRules` merges them for one run; etiquette may also be overridden per owner and
// per repository.

/** A repository's stance on AI-generated contributions, as the classifier reads its contribution documents. */
export const AI_STANCES = ['forbidden', 'disclosure_required', 'issue_first', 'allowed', 'unknown'] as const;
export type AiStance = (typeof AI_STANCES)[number];

/**
 * What a campaign does for a stance: end the run as SKIPPED (`skip`), add the disclosure to the PR body
 * (`disclose`), require a linked issue before a PR request and disclose (`require_issue`), or go on (`proceed`).
 */
export const AI_POLICY_ACTIONS = ['skip', 'disclose', 'require_issue', 'proceed'] as const;
export type AiPolicyAction = (typeof AI_POLICY_ACTIONS)[number];

/** Days of the week as schedule windows name them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The disclosure added to a PR body when the action is `disclose` or `require_issue`. */
export const DEFAULT_DISCLOSURE =
  'This pull request was prepared with the help of an AI coding agent (agentpr). A human reviewed the change and the ' +
  'tests before it was opened, and will answer review comments.';

/** The follow-up comment posted once on a PR with no maintainer response. Placeholders: {days}, {owner}, {repo}, {pr_number}. */
export const DEFAULT_FOLLOWUP_TEMPLATE =
  'Hi! Just a friendly check-in: is this change still of interest? Happy to adjust anything, or to close it if it ' +
  'does not fit the project. Thank you for your time.';

/** The comment posted when a stale PR is closed. Placeholders: {days}, {owner}, {repo}, {pr_number}. */
export const DEFAULT_CLOSE_TEMPLATE =
  'Closing this for now since it has not found a reviewer; no worries at all. Thank you for maintaining {repo}! ' +
  'Feel free to reopen it if it becomes useful.';

const CAMPAIGN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const int = (min: number, max: number, description: string) =>
  v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`), v.description(description));

const price = (description: string) =>
  v.pipe(v.number('must be a number'), v.finite('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(100_000, 'must be at most 100000'), v.description(description));

const text = (description: string, max = 4000) =>
  v.pipe(v.string('must be a string'), v.trim(), v.nonEmpty('must not be blank'), v.maxLength(max, `must be at most ${max} characters`), v.description(description));

const enumOf = <T extends string>(values: readonly T[], description: string) =>
  v.pipe(
    v.string(`must be one of ${values.join(', ')}`),
    v.metadata({ enum: [...values] }),
    v.description(description),
    v.check((s: string) => (values as readonly string[]).includes(s.trim().toLowerCase()), `must be one of ${values.join(', ')}`),
    v.transform((s: string) => s.trim().toLowerCase() as T),
  );

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const aiPolicySchema = v.strictObject(
  {
    actions: v.optional(
      v.strictObject(
        Object.fromEntries(AI_STANCES.map((s) => [s, v.optional(enumOf(AI_POLICY_ACTIONS, `What to do when a repository's stance is ${s}.`))])) as Record<AiStance, v.OptionalSchema<ReturnType<typeof enumOf<AiPolicyAction>>, undefined>>,
        (issue) => (issue.expected === 'never' ? `unknown stance; stances: ${AI_STANCES.join(', ')}` : 'must be an object'),
      ),
    ),
    disclosure_text: v.optional(text('The disclosure added to the PR body (action disclose or require_issue).')),
    recheck_hours: v.optional(int(0, 24 * 365, 'Reuse a repository\'s stored classification for this long before fetching its documents again (0 = always fetch).')),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: actions, disclosure_text, recheck_hours' : 'must be an object'),
);

const duplicatesSchema = v.strictObject(
  {
    enabled: v.optional(v.pipe(v.boolean('must be true or false'), v.description('Search the target repository for the same change before work starts and before a PR request.'))),
    keywords: v.optional(
      v.pipe(
        v.array(text('A search keyword or phrase.', 100), 'must be an array of strings'),
        v.maxLength(10, 'must have at most 10 keywords'),
        v.description('Words or phrases that name this campaign\'s change (matched in PR and issue titles and bodies, and in branch names).'),
      ),
    ),
    integration_name: v.optional(text('The name of the integration the campaign adds (e.g. "Renovate"); searched like a keyword.', 100)),
    closed_within_days: v.optional(int(0, 3650, 'Closed PRs and issues count as duplicates when closed this recently.')),
    search_branches: v.optional(v.pipe(v.boolean('must be true or false'), v.description('Also match the repository\'s branch names.'))),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: enabled, keywords, integration_name, closed_within_days, search_branches' : 'must be an object'),
);

const windowSchema = v.strictObject(
  {
    days: v.pipe(v.array(enumOf(WEEKDAYS, 'A day of the week.'), 'must be an array of mon..sun'), v.minLength(1, 'must name at least one day')),
    start: v.pipe(v.string('must be HH:MM'), v.regex(HHMM, 'must be HH:MM (24-hour)')),
    end: v.pipe(v.string('must be HH:MM'), v.regex(HHMM, 'must be HH:MM (24-hour)')),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: days, start, end' : 'must be an object with days, start and end'),
);

/** Etiquette fields; an owner or repository override may set any of them. */
const etiquetteEntries = {
  max_open_prs_per_repo: v.optional(int(0, 1000, 'Open agent PRs allowed at once in one repository (0 = no cap).')),
  max_open_prs_per_owner: v.optional(int(0, 10_000, 'Open agent PRs allowed at once across one owner\'s repositories (0 = no cap).')),
  max_prs_per_hour: v.optional(int(0, 10_000, 'PRs the campaign may open in any rolling hour (0 = no cap).')),
  max_prs_per_day: v.optional(int(0, 100_000, 'PRs the campaign may open in any rolling 24 hours (0 = no cap).')),
  skip_archived: v.optional(v.pipe(v.boolean('must be true or false'), v.description('End runs on archived repositories as SKIPPED.'))),
  max_inactive_days: v.optional(int(0, 36_500, 'End runs as SKIPPED on repositories with no maintainer activity (commits, merged PRs, issue replies) for this many days (0 = never).')),
  schedule: v.optional(
    v.strictObject(
      {
        time_zone: v.optional(v.pipe(v.string('must be an IANA time zone'), v.trim(), v.check(validTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC'))),
        windows: v.optional(v.pipe(v.array(windowSchema, 'must be an array of windows'), v.description('When PRs may be opened and follow-ups posted; empty = any time.'))),
      },
      (issue) => (issue.expected === 'never' ? 'unknown field; allowed: time_zone, windows' : 'must be an object'),
    ),
  ),
};

const etiquetteOverrideSchema = v.strictObject(etiquetteEntries, (issue) =>
  issue.expected === 'never' ? `unknown field; allowed: ${Object.keys(etiquetteEntries).join(', ')}` : 'must be an object',
);

const keyedOverrides = (what: string) =>
  v.pipe(v.record(v.string(), etiquetteOverrideSchema, `must be an object keyed by ${what}`), v.description(`Etiquette overrides keyed by ${what} (case-insensitive).`));

const etiquetteSchema = v.strictObject(
  {
    ...etiquetteEntries,
    owner_overrides: v.optional(keyedOverrides('owner')),
    repo_overrides: v.optional(keyedOverrides('"owner/repo"')),
  },
  (issue) => (issue.expected === 'never' ? `unknown field; allowed: ${[...Object.keys(etiquetteEntries), 'owner_overrides', 'repo_overrides'].join(', ')}` : 'must be an object'),
);

const staleSchema = v.strictObject(
  {
    enabled: v.optional(v.pipe(v.boolean('must be true or false'), v.description('Post one follow-up on a PR with no maintainer response, then close it (off by default).'))),
    followup_after_days: v.optional(int(1, 365, 'Days without a maintainer response before the one follow-up comment.')),
    close_after_days: v.optional(int(1, 365, 'Days after the follow-up, still without a response, before the PR is closed and the run ends as stale.')),
    followup_template: v.optional(text('The follow-up comment. Placeholders: {days}, {owner}, {repo}, {pr_number}.')),
    close_template: v.optional(text('The thank-you posted when closing. Placeholders: {days}, {owner}, {repo}, {pr_number}.')),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: enabled, followup_after_days, close_after_days, followup_template, close_template' : 'must be an object'),
);

/** One campaign's rules as written (every field optional). */
export const campaignRulesSchema = v.strictObject(
  {
    ai_policy: v.optional(aiPolicySchema),
    duplicates: v.optional(duplicatesSchema),
    etiquette: v.optional(etiquetteSchema),
    stale_followup: v.optional(staleSchema),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: ai_policy, duplicates, etiquette, stale_followup' : 'must be an object'),
);

/** `campaigns`: rules per campaign name, each overriding `campaign_defaults` field by field. */
export const campaignsSchema = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(CAMPAIGN_NAME, 'a campaign name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')),
    campaignRulesSchema,
    'must be an object keyed by campaign name',
  ),
  v.description('Rules per campaign (the name in its campaign.json), overriding campaign_defaults field by field.'),
);

const modelPriceSchema = v.strictObject(
  {
    input_per_mtok: price('Money per million input tokens (not cached).'),
    cached_input_per_mtok: v.optional(price('Money per million cached input tokens (default: the input price).')),
    output_per_mtok: price('Money per million output tokens (reasoning tokens included).'),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: input_per_mtok, cached_input_per_mtok, output_per_mtok' : 'must be an object with input_per_mtok and output_per_mtok'),
);

/** `pricing`: the price table that turns the agent's tokens into money in show-run, inspect-run and campaign-report. */
export const pricingSchema = v.strictObject(
  {
    currency: v.optional(v.pipe(v.string('must be a currency code'), v.trim(), v.regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as USD'))),
    models: v.optional(
      v.pipe(
        v.record(v.pipe(v.string(), v.trim(), v.nonEmpty('a model key must not be empty')), modelPriceSchema, 'must be an object keyed by model name'),
        v.description('Prices keyed by model name, by engine name (codex, claude) as the fallback for that engine, or "*" for any model.'),
      ),
    ),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: currency, models' : 'must be an object'),
);

export type CampaignRulesInput = v.InferOutput<typeof campaignRulesSchema>;
export type PricingInput = v.InferOutput<typeof pricingSchema>;
type EtiquetteOverride = v.InferOutput<typeof etiquetteOverrideSchema>;

/** A schedule window: on these days (in the schedule's time zone), from `start` up to `end` (HH:MM, end exclusive). */
export interface ScheduleWindow {
  days: Weekday[];
  start: string;
  end: string;
}

/** The etiquette that holds for one repository after every override. */
export interface EffectiveEtiquette {
  max_open_prs_per_repo: number;
  max_open_prs_per_owner: number;
  max_prs_per_hour: number;
  max_prs_per_day: number;
  skip_archived: boolean;
  max_inactive_days: number;
  schedule: { time_zone: string; windows: ScheduleWindow[] };
}

/** The rules that hold for one run: its campaign's, over the defaults, with owner and repository etiquette overrides applied. */
export interface EffectiveCampaignRules {
  campaign: string;
  ai_policy: { actions: Record<AiStance, AiPolicyAction>; disclosure_text: string; recheck_hours: number };
  duplicates: { enabled: boolean; keywords: string[]; integration_name: string | null; closed_within_days: number; search_branches: boolean };
  etiquette: EffectiveEtiquette;
  stale_followup: { enabled: boolean; followup_after_days: number; close_after_days: number; followup_template: string; close_template: string };
}

/** The price of one model, per million tokens. */
export interface ModelPrice {
  input_per_mtok: number;
  cached_input_per_mtok: number;
  output_per_mtok: number;
}

/** The price table after normalisation: model keys lower-cased. */
export interface Pricing {
  currency: string;
  models: Record<string, ModelPrice>;
}

const ARRAY_FIELDS: ReadonlySet<string> = new Set(['keywords', 'windows', 'days']);

/**
 * valibot's object and record schemas accept arrays; the campaign sections must not. One issue per array found where
 * an object belongs in `campaign_defaults`, `campaigns` and `pricing` (only `keywords`, `windows` and `days` are lists).
 */
export function campaignArrayIssues(value: Record<string, unknown>): string[] {
  const issues: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      const key = path.slice(path.lastIndexOf('.') + 1);
      if (!ARRAY_FIELDS.has(key)) issues.push(`${path}: must be an object (got an array)`);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
  };
  for (const section of ['campaign_defaults', 'campaigns', 'pricing']) if (value[section] !== undefined) walk(value[section], section);
  return issues;
}

/** The built-in rules: respectful by default (disclose unless forbidden, one open PR per repository, few PRs per hour). */
export const BUILTIN_CAMPAIGN_RULES: Omit<EffectiveCampaignRules, 'campaign'> = {
  ai_policy: {
    actions: { forbidden: 'skip', disclosure_required: 'disclose', issue_first: 'require_issue', allowed: 'disclose', unknown: 'disclose' },
    disclosure_text: DEFAULT_DISCLOSURE,
    recheck_hours: 24,
  },
  duplicates: { enabled: true, keywords: [], integration_name: null, closed_within_days: 90, search_branches: true },
  etiquette: {
    max_open_prs_per_repo: 1,
    max_open_prs_per_owner: 3,
    max_prs_per_hour: 2,
    max_prs_per_day: 10,
    skip_archived: true,
    max_inactive_days: 365,
    schedule: { time_zone: 'UTC', windows: [] },
  },
  stale_followup: {
    enabled: false,
    followup_after_days: 14,
    close_after_days: 14,
    followup_template: DEFAULT_FOLLOWUP_TEMPLATE,
    close_template: DEFAULT_CLOSE_TEMPLATE,
  },
};

/** The price table when the policy has none: no prices, so cost shows as unknown. */
export const EMPTY_PRICING: Pricing = { currency: 'USD', models: {} };

function applyEtiquette(base: EffectiveEtiquette, o: EtiquetteOverride | undefined): EffectiveEtiquette {
  if (!o) return base;
  const { schedule, ...flat } = o;
  const defined = Object.fromEntries(Object.entries(flat).filter(([, value]) => value !== undefined));
  return {
    ...base,
    ...defined,
    schedule: schedule ? { time_zone: schedule.time_zone ?? base.schedule.time_zone, windows: schedule.windows ?? base.schedule.windows } : base.schedule,
  };
}

function findKey<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  if (!record) return undefined;
  const wanted = key.toLowerCase();
  for (const [k, value] of Object.entries(record)) if (k.trim().toLowerCase() === wanted) return value;
  return undefined;
}

function layer(base: Omit<EffectiveCampaignRules, 'campaign'>, rules: CampaignRulesInput | undefined): Omit<EffectiveCampaignRules, 'campaign'> {
  if (!rules) return base;
  const def = <T extends object>(o: T | undefined): Partial<T> =>
    o ? (Object.fromEntries(Object.entries(o).filter(([, value]) => value !== undefined)) as Partial<T>) : {};
  const { actions, ...aiRest } = rules.ai_policy ?? {};
  const { owner_overrides: _owners, repo_overrides: _repos, ...etiquette } = rules.etiquette ?? {};
  return {
    ai_policy: { ...base.ai_policy, ...def(aiRest), actions: { ...base.ai_policy.actions, ...def(actions) } },
    duplicates: { ...base.duplicates, ...def(rules.duplicates) },
    etiquette: applyEtiquette(base.etiquette, etiquette),
    stale_followup: { ...base.stale_followup, ...def(rules.stale_followup) },
  };
}

/**
 * The rules for one run: built-in defaults, then `campaign_defaults`, then `campaigns.<campaign>`, then the
 * etiquette overrides for the owner and for `owner/repo` (the defaults' overrides first, then the campaign's).
 * Campaign, owner and repository keys match case-insensitively.
 *
 * @example
 * const policy = { campaign_defaults: {}, campaigns: { example: { etiquette: { max_prs_per_hour: 1 } } } };
 * effectiveCampaignRules(policy, { campaign: 'example', owner: 'o', repo: 'r' }).etiquette.max_prs_per_hour // → 1
 */
export function effectiveCampaignRules(
  policy: { campaign_defaults: CampaignRulesInput; campaigns: Record<string, CampaignRulesInput> },
  target: { campaign: string | null; owner: string; repo: string },
): EffectiveCampaignRules {
  const campaign = target.campaign ?? 'default';
  const own = findKey(policy.campaigns, campaign);
  let rules = layer(layer(BUILTIN_CAMPAIGN_RULES, policy.campaign_defaults), own);
  let etiquette = rules.etiquette;
  for (const source of [policy.campaign_defaults, own]) etiquette = applyEtiquette(etiquette, findKey(source?.etiquette?.owner_overrides, target.owner));
  for (const source of [policy.campaign_defaults, own]) etiquette = applyEtiquette(etiquette, findKey(source?.etiquette?.repo_overrides, `${target.owner}/${target.repo}`));
  rules = { ...rules, etiquette };
  return { campaign, ...rules };
}

/** The price table with defaults applied and model keys lower-cased. */
export function normalisePricing(input: PricingInput): Pricing {
  const models: Record<string, ModelPrice> = {};
  for (const [key, p] of Object.entries(input.models ?? {})) {
    const cached = p.cached_input_per_mtok ?? p.input_per_mtok;
    models[key.trim().toLowerCase()] = { input_per_mtok: p.input_per_mtok, cached_input_per_mtok: cached, output_per_mtok: p.output_per_mtok };
  }
  return { currency: input.currency ?? 'USD', models };
}

/** The price for a model: its own entry, else its engine's, else `*`; undefined when the table has none. */
export function priceFor(pricing: Pricing, model: string | null, engine: string | null): ModelPrice | undefined {
  for (const key of [model, engine, '*']) {
    if (key === null || key === '') continue;
    const found = pricing.models[key.trim().toLowerCase()];
    if (found) return found;
  }
  return undefined;
}
