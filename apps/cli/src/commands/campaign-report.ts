import type { CampaignReportResult } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import type { CommandSpec } from '../command.js';
import { clip, table } from '../render.js';
import { int, str } from '../values.js';
import { count, money } from './show-run.js';

const STAGE_NAMES: Readonly<Record<string, string>> = { created: 'created', prepared: 'prepared', pushed: 'pushed', pr_opened: 'PR opened', merged: 'merged' };

const share = (n: number, of: number): string => (of === 0 ? '-' : `${Math.round((100 * n) / of)}%`);
const median = (m: { median_ms: number | null; count: number }): string => (m.median_ms === null ? 'n/a' : `${formatDuration(m.median_ms)} (${m.count} PRs)`);

/** The report as tables for a terminal. */
export function campaignReportText(r: CampaignReportResult): string {
  const who = r.campaign === null ? 'All campaigns' : `Campaign ${r.campaign}`;
  const created = r.funnel[0]?.runs ?? 0;
  const c = r.cost;
  const states = Object.entries(r.by_state).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`);
  const rate = r.merge_rate === null ? 'n/a' : `${Math.round(r.merge_rate * 1000) / 10}%`;
  const perLine = (label: string, p: { tokens: number; cost: number | null } | null) => [label, p ? count(p.tokens) : '-', p ? money(p.cost, c.currency) : '-'];
  const lines = [
    `${who}${r.since ? ` (runs created since ${r.since})` : ''}: ${r.runs} runs`,
    '',
    table(['FUNNEL', 'RUNS', 'OF CREATED'], r.funnel.map((s) => [STAGE_NAMES[s.stage] ?? s.stage, String(s.runs), share(s.runs, created)])),
    '',
    `PRs: ${r.prs.opened} opened: ${r.prs.merged} merged, ${r.prs.closed_unmerged} closed unmerged, ${r.prs.open} open; ${r.prs.stale} stale`,
    `merge rate: ${rate} (merged / (merged + closed unmerged); open PRs not counted)`,
    `median time to first maintainer response: ${median(r.time_to_first_response)}; to merge: ${median(r.time_to_merge)}`,
    `runs by state: ${states.length ? states.join(', ') : 'none'}`,
    '',
    table(['COST', 'TOKENS', 'COST'], [perLine('total', { tokens: c.total.total_tokens, cost: c.total.cost }), perLine('per run', c.per_run), perLine('per merged PR', c.per_merged_pr)]),
    ...c.total.notes.map((n) => `note: ${n}`),
  ];
  if (c.by_engine.length) {
    const rows = c.by_engine.map((e) => [clip(e.label, 80), String(e.runs), String(e.attempts), count(e.total_tokens), money(e.cost, c.currency)]);
    lines.push('', table(['ENGINE · MODEL', 'RUNS', 'ATTEMPTS', 'TOKENS', 'COST'], rows));
  }
  if (c.by_repository.length) {
    lines.push('', table(['REPOSITORY', 'RUNS', 'MERGED', 'TOKENS', 'COST'], c.by_repository.map((x) => [x.repository, String(x.runs), String(x.merged), count(x.total_tokens), money(x.cost, c.currency)])));
  }
  const rejected = Object.entries(r.rejections).filter(([, n]) => n > 0);
  if (rejected.length) lines.push('', table(['REJECTED AS', 'PRS'], rejected.map(([k, n]) => [k.replace(/_/g, ' '), String(n)])));
  if (r.by_campaign?.length) {
    lines.push('', table(['CAMPAIGN', 'RUNS', 'MERGED', 'TOKENS', 'COST'], r.by_campaign.map((x) => [x.campaign ?? '(none)', String(x.runs), String(x.merged), count(x.total_tokens), money(x.cost, c.currency)])));
  }
  return lines.join('\n');
}

/** `agentpr campaign-report`: a campaign's funnel, merge rate, response and merge times, cost and rejection reasons. */
export const command: CommandSpec = {
  name: 'campaign-report',
  summary: 'Report a campaign: the funnel, merge rate, time to response and merge, tokens and cost per run, repository and merged PR, rejection reasons.',
  example: 'agentpr campaign-report --campaign acme-sdk --since 2026-12-01 --chart funnel.svg',
  options: {
    campaign: { type: 'string', value: 'NAME', description: 'one campaign (default: every run, with a line per campaign)' },
    since: { type: 'string', value: 'DATE', description: 'only runs created at or after this ISO date or time, e.g. 2026-12-01' },
    chart: { type: 'string', value: 'FILE.svg', description: 'also write the funnel and time-to-merge chart as SVG to this file' },
    limit: { type: 'string', value: 'N', description: 'repositories and runs listed, the costliest first (default 20)' },
  },
  async run(ctx, values) {
    const { campaignReport, campaignFunnelSvg, checkChartPath, writeChartFile, parseSince } = await import('@agentpr/reports');
    const campaign = str(values, 'campaign');
    const since = str(values, 'since');
    const limit = int(values, 'limit', { min: 1, default: 20 })!;
    // Bad input is refused before the store is opened or anything is written.
    if (since !== undefined) parseSince(since);
    const chart = str(values, 'chart');
    if (chart !== undefined) checkChartPath(chart);
    const app = await ctx.app();
    const knownCampaigns = campaign === undefined ? [] : (await (await import('@agentpr/orchestrator')).knownCampaigns(app)).map((k) => k.name);
    const report = await campaignReport(app, { campaign, since, limit, knownCampaigns });
    const written = chart === undefined ? null : writeChartFile(chart, campaignFunnelSvg(report));
    const output = written ? { ...report, chart: written } : report;
    return { output, text: `${campaignReportText(report)}${written ? `\n\nchart written to ${written}` : ''}` };
  },
};
