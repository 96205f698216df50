import { campaignReport, ReportError, type CampaignReportResult } from '@agentpr/reports';
import type { RunState } from '@agentpr/state-machine';
import { campaignHasRuns, dashboardRunPage, listRunCampaigns, runStatesOverTime, type StateCountsBucket } from '@agentpr/store';
import type { DashboardDeps } from '../deps.js';
import { PageError } from '../page.js';
import { windowParam, windowRange, type TimeWindow } from './window-param.js';

/** The windows the campaign page offers (day buckets). */
export const CAMPAIGN_WINDOWS = ['7d', '30d', '60d'] as const satisfies readonly TimeWindow[];
export type CampaignWindow = (typeof CAMPAIGN_WINDOWS)[number];

/** The most campaigns the list shows (the store's loose index scan reads one seek per name). */
export const CAMPAIGNS_LISTED = 200;
/** Repositories listed under a campaign's cost, the costliest first. */
export const COST_ROWS = 10;
/** The longest campaign name looked up; longer path segments are no campaign (404) without touching the store. */
const NAME_MAX = 500;

/** A run-state phase of the "runs by state" chart: a few states drawn as one colour; the table lists them. */
export interface StatePhase {
  key: string;
  label: string;
  states: readonly RunState[];
}

/** The phases, bottom of the stack first: where runs are in their life, six colours instead of fifteen. */
export const STATE_PHASES: readonly StatePhase[] = [
  { key: 'done', label: 'Done', states: ['DONE'] },
  { key: 'github', label: 'Pushed, on GitHub', states: ['PUSHED', 'CI_WAIT', 'REVIEW_WAIT'] },
  { key: 'working', label: 'Working', states: ['DISCOVERY', 'PLAN_READY', 'IMPLEMENTING', 'LOCAL_VALIDATING', 'ITERATING'] },
  { key: 'human', label: 'Waiting for a person', states: ['PAUSED', 'NEEDS_HUMAN_REVIEW', 'FAILED_RETRYABLE'] },
  { key: 'queued', label: 'Queued', states: ['QUEUED'] },
  { key: 'ended', label: 'Ended without a PR', states: ['SKIPPED', 'FAILED_TERMINAL'] },
];

/** A bucket's counts summed per phase. */
export function phaseCounts(counts: StateCountsBucket['counts']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const phase of STATE_PHASES) out[phase.key] = phase.states.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  return out;
}

/** One campaign of the list. */
export interface CampaignListItem {
  name: string;
  runs: number;
}

/** The campaigns page: every campaign runs were created under, with its runs. */
export interface CampaignListView {
  kind: 'list';
  campaigns: CampaignListItem[];
  /** True when there are more campaigns than {@link CAMPAIGNS_LISTED}. */
  more: boolean;
}

/** One campaign's page. */
export interface CampaignView {
  kind: 'campaign';
  name: string;
  window: CampaignWindow;
  /** Runs by state at the end of each UTC day of the window, oldest first. */
  days: StateCountsBucket[];
  /** The funnel, merge rate and cost (`campaignReport`), or why it could not be computed (e.g. a broken policy file). */
  report: { kind: 'report'; result: CampaignReportResult } | { kind: 'unavailable'; reason: string };
}

/** The campaign list: names from `listRunCampaigns` (an index scan), each with its number of runs. */
export async function campaignListView(deps: DashboardDeps): Promise<CampaignListView> {
  const names = await listRunCampaigns(deps.db, { limit: CAMPAIGNS_LISTED + 1 });
  const campaigns: CampaignListItem[] = [];
  for (const name of names.slice(0, CAMPAIGNS_LISTED)) {
    const page = await dashboardRunPage(deps.db, { campaign: name, limit: 1 });
    campaigns.push({ name, runs: page.total });
  }
  return { kind: 'list', campaigns, more: names.length > CAMPAIGNS_LISTED };
}

/**
 * The report's texts that carry names from the store (engine and model labels, the cost notes that name models),
 * redacted: a model name can come from the agent's own stream.
 */
function redactNames(result: CampaignReportResult, redact: (text: string) => string): CampaignReportResult {
  const total = { ...result.cost.total, notes: result.cost.total.notes.map(redact) };
  return { ...result, cost: { ...result.cost, total, by_engine: result.cost.by_engine.map((e) => ({ ...e, label: redact(e.label) })) } };
}

/** The funnel and cost from `campaignReport`, priced with the policy's table; a report error becomes a reason shown in place. */
async function reportFor(deps: DashboardDeps, name: string): Promise<CampaignView['report']> {
  try {
    return { kind: 'report', result: redactNames(await campaignReport(deps.app, { campaign: name, limit: COST_ROWS }), deps.redact) };
  } catch (error) {
    if (error instanceof ReportError) return { kind: 'unavailable', reason: deps.redact(error.message) };
    throw error;
  }
}

/**
 * One campaign (its exact stored name, from the path): runs by state per day over the window (`?window=7d|30d|60d`,
 * default 30d) and the funnel with merge rate and cost per merged PR. A campaign no run was created under is
 * `not_found`; a bad window is `bad_request`.
 */
export async function campaignView(deps: DashboardDeps, name: string, query: URLSearchParams): Promise<CampaignView> {
  const window = windowParam(query, CAMPAIGN_WINDOWS, '30d');
  if (name.length === 0 || name.length > NAME_MAX || !(await campaignHasRuns(deps.db, name))) {
    throw new PageError('not_found', 'No run was created under this campaign. The campaigns page lists the known ones.');
  }
  const range = windowRange(window, deps.clock(), 'day');
  const days = await runStatesOverTime(deps.db, { since: range.firstBucket.toISOString(), until: range.until.toISOString(), bucket: 'day', campaign: name });
  return { kind: 'campaign', name, window, days, report: await reportFor(deps, name) };
}

/** Money as the CLI writes it: `$0.0123` in USD, `0.0123 EUR` otherwise; `unknown` when some tokens have no price. */
export function money(cost: number | null, currency: string): string {
  if (cost === null) return 'unknown';
  const digits = cost !== 0 && cost < 0.01 ? 4 : 2;
  return currency === 'USD' ? `$${cost.toFixed(digits)}` : `${cost.toFixed(digits)} ${currency}`;
}

/** A count with thousands separators (`12,345`), without locale data. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
