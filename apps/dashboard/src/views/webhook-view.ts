import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadPolicy } from '@agentpr/policy';
import { webhookAuditSummary, type WebhookAuditSummary } from '@agentpr/reports';
import { webhookDeliveriesOverTime, type DeliveryBucket } from '@agentpr/store';
import { SERIES_COUNT, type SeriesSlot } from '../charts/chart-theme.js';
import type { DashboardDeps } from '../deps.js';
import { windowParam, windowRange, type TimeWindow } from './window-param.js';

/** The windows the webhook page offers (hour buckets). */
export const WEBHOOK_WINDOWS = ['24h', '7d'] as const satisfies readonly TimeWindow[];
export type WebhookWindow = (typeof WEBHOOK_WINDOWS)[number];

/**
 * The alert thresholds the page checks each audit window against (as `agentpr webhook-audit-summary
 * --fail-on-retryable-failures 0 --fail-on-http5xx-rate 5` would): any retryable failure, or more than 5 % 5xx answers.
 */
export const AUDIT_THRESHOLDS = { retryableFailures: 0, http5xxRatePct: 5 } as const;

/** The audit windows summarised, shortest first, and how many lines each reads from the end of the log at most. */
export const AUDIT_WINDOWS: ReadonlyArray<{ label: string; minutes: number; maxLines: number }> = [
  { label: 'Last hour', minutes: 60, maxLines: 2_000 },
  { label: 'Last 24 hours', minutes: 24 * 60, maxLines: 10_000 },
  { label: 'Last 7 days', minutes: 7 * 24 * 60, maxLines: 20_000 },
];

/** One audit window's summary (`webhookAuditSummary`), with whether the line cap cut it short. */
export interface AuditWindow {
  label: string;
  summary: WebhookAuditSummary;
  /** The log had more lines than were read: older answers of the window are not counted. */
  capped: boolean;
}

/** What the webhook's audit log says, or why it says nothing. */
export type AuditState =
  | { kind: 'summaries'; file: string; windows: AuditWindow[] }
  /** No audit file yet: the webhook has not answered a delivery (or writes elsewhere). */
  | { kind: 'missing'; file: string }
  /** The policy file or the audit file could not be read. */
  | { kind: 'unavailable'; reason: string };

/** A delivery outcome drawn as its own series, with its colour slot. */
export interface OutcomeSeries {
  key: string;
  slot: SeriesSlot;
}

/** What the webhook health page shows. */
export interface WebhookView {
  window: WebhookWindow;
  /** Deliveries stored per hour, by outcome, oldest first. */
  deliveries: DeliveryBucket[];
  /** The outcomes seen in the window, most frequent first; beyond the colours there are, the rest are `other`. */
  outcomes: OutcomeSeries[];
  total: number;
  audit: AuditState;
}

/** Outcomes whose colour means the same on every chart: processed green, refused red, pending amber, ignored grey. */
const OUTCOME_SLOTS: Readonly<Record<string, SeriesSlot>> = { processed: 3, refused: 2, pending: 4, ignored: 6, duplicate: 1 };
/** The series that gathers the outcomes beyond the colours there are. */
export const OTHER_OUTCOME = 'other';

/**
 * The series of the deliveries chart: each outcome seen, most frequent first, on its fixed colour or a free one;
 * when there are more outcomes than colours, the least frequent share the last free colour as {@link OTHER_OUTCOME}.
 */
export function outcomeSeries(buckets: readonly DeliveryBucket[]): OutcomeSeries[] {
  const totals = new Map<string, number>();
  for (const b of buckets) for (const [outcome, n] of Object.entries(b.by_outcome)) totals.set(outcome, (totals.get(outcome) ?? 0) + n);
  const names = [...totals.entries()].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
  const kept = names.length > SERIES_COUNT ? names.slice(0, SERIES_COUNT - 1) : names;
  const used = new Set(kept.map((k) => OUTCOME_SLOTS[k]).filter((s) => s !== undefined));
  const free = ([1, 2, 3, 4, 5, 6] as SeriesSlot[]).filter((s) => !used.has(s));
  const series = kept.map((key) => ({ key, slot: OUTCOME_SLOTS[key] ?? free.shift()! }));
  if (names.length > kept.length) series.push({ key: OTHER_OUTCOME, slot: free.shift()! });
  return series;
}

/** A bucket's counts per series: outcomes without a series of their own added to {@link OTHER_OUTCOME}. */
export function outcomeValues(bucket: DeliveryBucket, series: readonly OutcomeSeries[]): Record<string, number> {
  const own = new Set(series.map((s) => s.key));
  const values: Record<string, number> = {};
  for (const [outcome, n] of Object.entries(bucket.by_outcome)) {
    const key = own.has(outcome) ? outcome : OTHER_OUTCOME;
    values[key] = (values[key] ?? 0) + n;
  }
  return values;
}

/** The audit log's path, as the webhook and `agentpr webhook-audit-summary` resolve it: the policy's, under the data dir. */
async function auditFile(deps: DashboardDeps): Promise<{ ok: true; file: string } | { ok: false; reason: string }> {
  const policy = await loadPolicy(deps.paths.policyFile);
  if (!policy.ok) return { ok: false, reason: `the policy file cannot be used: ${deps.redact(policy.error.message)}` };
  const file = policy.policy.github_webhook.audit_log_file;
  return { ok: true, file: isAbsolute(file) ? file : resolve(deps.paths.dataDir, file) };
}

async function auditState(deps: DashboardDeps): Promise<AuditState> {
  const found = await auditFile(deps);
  if (!found.ok) return { kind: 'unavailable', reason: found.reason };
  if (!existsSync(found.file)) return { kind: 'missing', file: found.file };
  const windows: AuditWindow[] = [];
  for (const w of AUDIT_WINDOWS) {
    const summary = await webhookAuditSummary(deps, {
      auditLogFile: found.file,
      sinceMinutes: w.minutes,
      maxLines: w.maxLines,
      failOnRetryableFailures: AUDIT_THRESHOLDS.retryableFailures,
      failOnHttp5xxRate: AUDIT_THRESHOLDS.http5xxRatePct,
    });
    if (summary.error) return { kind: 'unavailable', reason: deps.redact(summary.error) };
    windows.push({ label: w.label, summary, capped: summary.total_lines_read >= w.maxLines });
  }
  return { kind: 'summaries', file: found.file, windows };
}

/**
 * The webhook health page's data: the deliveries the store recorded per hour by outcome over the window
 * (`?window=24h|7d`, default 24h; anything else is a `bad_request`), and the audit log's summary (`webhookAuditSummary`)
 * over the last hour, day and week with the {@link AUDIT_THRESHOLDS}. A missing audit log is a state, not an error.
 */
export async function webhookView(deps: DashboardDeps, query: URLSearchParams): Promise<WebhookView> {
  const window = windowParam(query, WEBHOOK_WINDOWS, '24h');
  const range = windowRange(window, deps.clock(), 'hour');
  const deliveries = await webhookDeliveriesOverTime(deps.db, { since: range.firstBucket.toISOString(), until: range.until.toISOString(), bucket: 'hour' });
  return {
    window,
    deliveries,
    outcomes: outcomeSeries(deliveries),
    total: deliveries.reduce((sum, b) => sum + b.total, 0),
    audit: await auditState(deps),
  };
}
