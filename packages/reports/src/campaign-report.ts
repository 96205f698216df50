import { loadPolicy, type Pricing } from '@agentpr/policy';
import { campaignNames, campaignRunFacts, campaignUsage, type CampaignRunFacts, type RunUsageSums } from '@agentpr/store';
import { campaignFigures, FIGURE_DEFINITIONS, prOutcome, type CampaignFigures } from './campaign-figures.js';
import { addCosts, costOf } from './cost.js';
import type { CostSummary } from './token-totals.js';
import { engineUsage, type EngineUsage } from './engine-usage.js';
import { ReportError } from './errors.js';
import { policyError } from './policy-error.js';
import type { ReportContext } from './report-context.js';

/** Input of {@link campaignReport}. */
export interface CampaignReportInput {
  /** One campaign (matched case-insensitively against the runs' and the policy's campaigns); omitted = every run. */
  campaign?: string | undefined;
  /** Only runs created at or after this ISO date or time (`2026-12-01`, `2026-12-01T08:00:00Z`). */
  since?: string | undefined;
  /** Repositories and runs listed, the costliest first (default 20); the totals count all. */
  limit?: number | undefined;
  /**
   * More names that count as known campaigns (the app passes the orchestrator's `knownCampaigns`: the campaign folder
   * in use, `default`), besides the runs' and the policy's.
   */
  knownCampaigns?: readonly string[] | undefined;
}

/** Tokens and cost of one repository or run of the report. */
export interface CostLine {
  runs: number;
  merged: number;
  total_tokens: number;
  cost: number | null;
}

/** The campaign-report document. */
export interface CampaignReportResult extends CampaignFigures {
  ok: true;
  /** The campaign as stored on its runs, or null for every run. */
  campaign: string | null;
  since: string | null;
  generated_at: string;
  definitions: typeof FIGURE_DEFINITIONS;
  cost: {
    total: CostSummary;
    currency: string;
    /** The campaign's tokens and cost divided by its runs (null cost when unknown, null when no runs). */
    per_run: { tokens: number; cost: number | null } | null;
    /** The campaign's tokens and cost divided by its merged PRs (null when none merged). */
    per_merged_pr: { tokens: number; cost: number | null } | null;
    by_repository: Array<{ repository: string } & CostLine>;
    by_run: Array<{ run_id: string; repository: string; state: string; total_tokens: number; cost: number | null }>;
    /** Agent attempts, tokens and cost per engine and model (`codex`, `claude`), with the runs each ran in; the costliest first. */
    by_engine: Array<EngineUsage & { runs: number }>;
  };
  /** Without `--campaign`: each campaign's runs, PRs and cost (null = runs created without one). */
  by_campaign?: Array<{ campaign: string | null } & CostLine>;
}

/** The campaign of runs that name none (runs created before campaigns were recorded count in it). */
const DEFAULT_CAMPAIGN = 'default';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** `--since` as an ISO instant, or a one-line usage error. */
export function parseSince(since: string): string {
  const text = since.trim();
  const parsed = ISO_DATE.test(text) ? new Date(text) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new ReportError('usage', `--since must be an ISO date such as 2026-12-01 or 2026-12-01T08:00:00Z, got ${JSON.stringify(since)}`);
  }
  return parsed.toISOString();
}

/** The stored name of the campaign asked for, or a one-line error naming the known ones. */
async function resolveCampaign(ctx: Pick<ReportContext, 'db'>, asked: string, policyCampaigns: readonly string[], extra: readonly string[]): Promise<string> {
  const name = asked.trim();
  if (!name) throw new ReportError('usage', '--campaign must not be empty');
  const stored = (await campaignNames(ctx.db)).map((c) => c.campaign).filter((c): c is string => c !== null);
  const exact = stored.find((c) => c === name) ?? stored.find((c) => c.toLowerCase() === name.toLowerCase());
  if (exact !== undefined) return exact;
  const configured = [...policyCampaigns, ...extra].find((c) => c.toLowerCase() === name.toLowerCase());
  if (configured !== undefined) return configured;
  const known = [...new Set([...stored, ...policyCampaigns, ...extra])].sort();
  const list = known.length ? `known campaigns: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}` : 'no campaign is known yet (create runs with --campaign NAME)';
  throw new ReportError('usage', `unknown campaign ${JSON.stringify(name)}: ${list}`);
}

function costLine(runs: readonly CampaignRunFacts[], costs: Map<string, CostSummary>, currency: string): CostLine {
  const summary = addCosts(runs.map((r) => costs.get(r.run_id)!), currency);
  return { runs: runs.length, merged: runs.filter((r) => prOutcome(r) === 'merged').length, total_tokens: summary.total_tokens, cost: summary.cost };
}

function groupBy<K>(runs: readonly CampaignRunFacts[], key: (r: CampaignRunFacts) => K): Map<K, CampaignRunFacts[]> {
  const groups = new Map<K, CampaignRunFacts[]>();
  for (const r of runs) {
    const k = key(r);
    const group = groups.get(k);
    if (group) group.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

type Costed = { cost: number | null; total_tokens: number };
const costlier = (a: Costed, b: Costed) => (b.cost ?? -1) - (a.cost ?? -1) || b.total_tokens - a.total_tokens;

/** Each run's cost, priced per engine and model. */
function runCosts(runs: readonly CampaignRunFacts[], usage: readonly RunUsageSums[], pricing: Pricing): Map<string, CostSummary> {
  const byRun = new Map<string, RunUsageSums[]>();
  for (const u of usage) {
    const group = byRun.get(u.run_id);
    if (group) group.push(u);
    else byRun.set(u.run_id, [u]);
  }
  return new Map(runs.map((r) => [r.run_id, costOf(byRun.get(r.run_id) ?? [], pricing)]));
}

/** {@link engineUsage} over the campaign's per-run groups, each with the number of runs it ran in. */
function byEngine(usage: readonly RunUsageSums[], pricing: Pricing): Array<EngineUsage & { runs: number }> {
  const runs = new Map<string, Set<string>>();
  for (const u of usage) {
    const key = JSON.stringify([u.engine, u.model]);
    runs.set(key, (runs.get(key) ?? new Set<string>()).add(u.run_id));
  }
  return engineUsage(usage, { pricing, problem: null }).map((e) => ({ ...e, runs: runs.get(JSON.stringify([e.engine, e.model]))?.size ?? 0 }));
}

function divided(total: CostSummary, by: number): { tokens: number; cost: number | null } | null {
  if (by === 0) return null;
  return { tokens: Math.round(total.total_tokens / by), cost: total.cost === null ? null : round6(total.cost / by) };
}

/**
 * campaign-report: a campaign's funnel (runs at each stage, PRs opened, merged, closed unmerged, open, stale), merge
 * rate, median times to the first maintainer response and to merge, tokens and cost per run, repository, engine and
 * model, and merged PR, and why PRs were rejected. Read-only. An unknown campaign, a bad `since` and a policy file that cannot be used
 * (a malformed price table included) throw a `ReportError` with one line.
 *
 * @example
 * const r = await campaignReport(ctx, { campaign: 'acme-sdk', since: '2026-12-01' });
 * r.merge_rate; // 0.5 (definition in r.definitions.merge_rate)
 */
export async function campaignReport(ctx: Pick<ReportContext, 'db' | 'clock' | 'paths'>, input: CampaignReportInput = {}): Promise<CampaignReportResult> {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw new ReportError('usage', `--limit must be an integer of at least 1, got ${limit}`);
  const since = input.since === undefined ? undefined : parseSince(input.since);
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const pricing = loaded.policy.pricing;
  const policyCampaigns = Object.keys(loaded.policy.campaigns);
  const campaign = input.campaign === undefined ? undefined : await resolveCampaign(ctx, input.campaign, policyCampaigns, input.knownCampaigns ?? []);
  // Runs created before runs recorded their campaign belong to the default one, as the policy's rules treat them.
  const filter = { campaign, since, includeUnnamed: campaign?.toLowerCase() === DEFAULT_CAMPAIGN };
  const [runs, usage] = await Promise.all([campaignRunFacts(ctx.db, filter), campaignUsage(ctx.db, filter)]);
  const costs = runCosts(runs, usage, pricing);
  const total = addCosts([...costs.values()], pricing.currency);
  const figures = campaignFigures(runs);
  const repoOf = (r: CampaignRunFacts) => `${r.owner}/${r.repo}`;
  const byRepository = [...groupBy(runs, (r) => repoOf(r).toLowerCase()).values()]
    .map((group) => ({ repository: repoOf(group[0]!), ...costLine(group, costs, pricing.currency) }))
    .sort((a, b) => costlier(a, b) || a.repository.localeCompare(b.repository));
  const byRun = runs
    .map((r) => {
      const c = costs.get(r.run_id)!;
      return { run_id: r.run_id, repository: repoOf(r), state: r.current_state, total_tokens: c.total_tokens, cost: c.cost };
    })
    .sort((a, b) => costlier(a, b) || a.run_id.localeCompare(b.run_id));
  const result: CampaignReportResult = {
    ok: true,
    campaign: campaign ?? null,
    since: since ?? null,
    generated_at: ctx.clock().toISOString(),
    definitions: FIGURE_DEFINITIONS,
    ...figures,
    cost: {
      total,
      currency: pricing.currency,
      per_run: divided(total, figures.runs),
      per_merged_pr: divided(total, figures.prs.merged),
      by_repository: byRepository.slice(0, limit),
      by_run: byRun.slice(0, limit),
      by_engine: byEngine(usage, pricing),
    },
  };
  if (campaign !== undefined) return result;
  const byCampaign = [...groupBy(runs, (r) => r.campaign).entries()]
    .map(([name, group]) => ({ campaign: name, ...costLine(group, costs, pricing.currency) }))
    .sort((a, b) => b.runs - a.runs || String(a.campaign).localeCompare(String(b.campaign)));
  return { ...result, by_campaign: byCampaign };
}
