import type { FunnelStage, MergeBucket } from './campaign-figures.js';
import type { CampaignReportResult } from './campaign-report.js';
import { formatDuration } from './format-duration.js';

// The campaign chart, hand-written SVG (no dependency): the funnel as horizontal bars (created → prepared → pushed →
// PR opened → merged) and a histogram of the time to merge. Accessible: a <title> and a <desc> that says the numbers
// in words, every bar labelled with text, every label escaped.

/** What the chart draws: a campaign report's funnel, PR outcomes and time to merge. */
export type FunnelChartInput = Pick<CampaignReportResult, 'campaign' | 'since' | 'generated_at' | 'funnel' | 'prs' | 'merge_rate' | 'time_to_merge'>;

const STAGE_LABELS: Readonly<Record<FunnelStage, string>> = {
  created: 'Created',
  prepared: 'Prepared',
  pushed: 'Pushed',
  pr_opened: 'PR opened',
  merged: 'Merged',
};
const STAGE_COLOURS = ['#1f4e79', '#2e6da4', '#3c8dbc', '#5aa9d6', '#2e8b57'];

const WIDTH = 760;
const MARGIN = 24;
const LABEL_W = 110;
const VALUE_W = 110;
const BAR_H = 30;
const BAR_GAP = 10;
const HIST_H = 150;

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Control characters are not allowed in XML 1.0; campaign names come from operators, so drop them. */
function safe(text: string): string {
  return escapeXml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`);

function heading(input: FunnelChartInput): string {
  const who = input.campaign === null ? 'all campaigns' : input.campaign;
  return `${who}${input.since ? ` since ${input.since.slice(0, 10)}` : ''}`;
}

/** The chart in words, for <desc> (screen readers) and for anyone reading the file as text. */
function description(input: FunnelChartInput): string {
  const stages = input.funnel.map((s) => `${STAGE_LABELS[s.stage]} ${s.runs}`).join(', ');
  const rate = input.merge_rate === null ? 'no merge rate yet' : `merge rate ${Math.round(input.merge_rate * 100)}% of decided PRs`;
  const merge = input.time_to_merge.median_ms === null ? 'no merged PR yet' : `median time to merge ${formatDuration(input.time_to_merge.median_ms)} over ${input.time_to_merge.count} merged PRs`;
  const prs = `${input.prs.opened} PRs opened: ${input.prs.merged} merged, ${input.prs.closed_unmerged} closed unmerged, ${input.prs.open} open, ${input.prs.stale} stale`;
  return `Campaign ${heading(input)}. Runs at each stage: ${stages}. ${prs}; ${rate}; ${merge}.`;
}

function funnelBars(input: FunnelChartInput, top: number): string[] {
  const max = Math.max(1, ...input.funnel.map((s) => s.runs));
  const created = input.funnel[0]?.runs ?? 0;
  const span = WIDTH - 2 * MARGIN - LABEL_W - VALUE_W;
  return input.funnel.flatMap((s, i) => {
    const y = top + i * (BAR_H + BAR_GAP);
    const w = s.runs === 0 ? 0 : Math.max(2, Math.round((span * s.runs) / max));
    const x = MARGIN + LABEL_W + Math.round((span - w) / 2);
    const label = STAGE_LABELS[s.stage];
    const value = `${s.runs} (${pct(s.runs, created)})`;
    const mid = y + BAR_H / 2 + 5;
    return [
      `  <g class="stage" data-stage="${safe(s.stage)}">`,
      `    <text x="${MARGIN + LABEL_W - 10}" y="${mid}" text-anchor="end" class="label">${safe(label)}</text>`,
      `    <rect x="${x}" y="${y}" width="${w}" height="${BAR_H}" rx="3" fill="${STAGE_COLOURS[i % STAGE_COLOURS.length]}"><title>${safe(`${label}: ${value}`)}</title></rect>`,
      `    <text x="${WIDTH - MARGIN - VALUE_W + 10}" y="${mid}" class="value">${safe(value)}</text>`,
      '  </g>',
    ];
  });
}

function histogramBars(buckets: readonly MergeBucket[], top: number): string[] {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const inner = WIDTH - 2 * MARGIN;
  const slot = inner / Math.max(1, buckets.length);
  const barW = Math.round(slot * 0.7);
  const base = top + HIST_H;
  const lines = [`  <line x1="${MARGIN}" y1="${base}" x2="${WIDTH - MARGIN}" y2="${base}" stroke="#888" stroke-width="1"/>`];
  buckets.forEach((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, Math.round(((HIST_H - 20) * b.count) / max));
    const x = Math.round(MARGIN + i * slot + (slot - barW) / 2);
    const centre = Math.round(MARGIN + i * slot + slot / 2);
    lines.push(
      `  <g class="bucket">`,
      `    <rect x="${x}" y="${base - h}" width="${barW}" height="${h}" rx="2" fill="#2e8b57"><title>${safe(`${b.label}: ${b.count} merged PRs`)}</title></rect>`,
      `    <text x="${centre}" y="${base - h - 6}" text-anchor="middle" class="value">${b.count}</text>`,
      `    <text x="${centre}" y="${base + 18}" text-anchor="middle" class="small">${safe(b.label)}</text>`,
      '  </g>',
    );
  });
  return lines;
}

/**
 * The campaign chart as an SVG document: the funnel and the time-to-merge histogram, with a title, a description of
 * the numbers in words and a text label on every bar.
 *
 * @example
 * writeFileSync('campaign.svg', campaignFunnelSvg(await campaignReport(ctx, { campaign: 'acme-sdk' })));
 */
export function campaignFunnelSvg(input: FunnelChartInput): string {
  const funnelTop = 84;
  const funnelBottom = funnelTop + input.funnel.length * (BAR_H + BAR_GAP);
  const histTitle = funnelBottom + 36;
  const histTop = histTitle + 16;
  const height = histTop + HIST_H + 56;
  const merged = input.time_to_merge;
  const mergeLine = merged.median_ms === null ? 'Time to merge: no merged PR yet' : `Time to merge (${merged.count} merged PRs, median ${formatDuration(merged.median_ms)})`;
  const rate = input.merge_rate === null ? 'merge rate: n/a' : `merge rate ${Math.round(input.merge_rate * 100)}%`;
  const summary = `${input.prs.opened} PRs opened · ${input.prs.merged} merged · ${input.prs.closed_unmerged} closed unmerged · ${input.prs.open} open · ${input.prs.stale} stale · ${rate}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="chart-title chart-desc">`,
    `  <title id="chart-title">${safe(`agentpr campaign funnel: ${heading(input)}`)}</title>`,
    `  <desc id="chart-desc">${safe(description(input))}</desc>`,
    '  <style>text{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;fill:#222}.h{font-size:18px;font-weight:600}.label,.value{font-size:14px}.small{font-size:12px;fill:#555}</style>',
    `  <rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `  <text x="${MARGIN}" y="32" class="h">${safe(`Campaign funnel: ${heading(input)}`)}</text>`,
    `  <text x="${MARGIN}" y="56" class="small">${safe(summary)}</text>`,
    ...funnelBars(input, funnelTop),
    `  <text x="${MARGIN}" y="${histTitle}" class="h">${safe(mergeLine)}</text>`,
    ...histogramBars(merged.histogram, histTop),
    `  <text x="${WIDTH - MARGIN}" y="${height - 8}" text-anchor="end" class="small">${safe(`generated ${input.generated_at}`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
