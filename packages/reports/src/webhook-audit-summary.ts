import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { iso } from '@agentpr/store';
import { ReportError } from './errors.js';
import type { ReportContext } from './report-context.js';

/** The input of {@link webhookAuditSummary} (the `webhook-audit-summary` flags). */
export interface WebhookAuditSummaryInput {
  /** The audit JSONL file (absolute). */
  auditLogFile: string;
  /** Window length; default 60, at least 1. */
  sinceMinutes?: number | undefined;
  /** Lines read from the end; default 5000, at least 1. */
  maxLines?: number | undefined;
  /** Alert when the window's retryable failures exceed this. */
  failOnRetryableFailures?: number | undefined;
  /** Alert when the window's 5xx rate (percent) exceeds this. */
  failOnHttp5xxRate?: number | undefined;
}

/** The summary; `ok` is false when an alert fired or the file could not be read. */
export interface WebhookAuditSummary {
  ok: boolean;
  audit_log_file: string;
  since_minutes: number;
  window_start: string;
  window_end: string;
  max_lines: number;
  total_lines_read: number;
  parse_errors: number;
  considered_entries: number;
  outcome_counts: Record<string, number>;
  status_code_counts: Record<string, number>;
  retryable_failures: number;
  http_5xx_count: number;
  http_5xx_rate_pct: number;
  top_errors: Array<{ error: string; count: number }>;
  /** Outcomes of the roll-ups run after replies (`method: ROLLUP` lines), kept apart from HTTP answers. */
  rollup_counts: Record<string, number>;
  alerts: string[];
  warnings: string[];
  error?: string;
}

/** The last `maxLines` lines of a file, read backwards in blocks (the file is never loaded whole). */
export function readTailLines(file: string, maxLines: number): string[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const block = 64 * 1024;
    let pos = size;
    let text = '';
    let newlines = 0;
    while (pos > 0 && newlines <= maxLines) {
      const len = Math.min(block, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      const chunk = buf.toString('latin1');
      for (let i = 0; i < chunk.length; i++) if (chunk.charCodeAt(i) === 10) newlines++;
      text = chunk + text;
    }
    const lines = Buffer.from(text, 'latin1').toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // The first line may be cut in the middle when we stopped before the start of the file.
    if (pos > 0) lines.shift();
    return lines.slice(-maxLines);
  } finally {
    closeSync(fd);
  }
}

function parseTs(value: unknown): number {
  if (typeof value !== 'string' || !value.trim()) return Number.NaN;
  const text = value.trim();
  const zoned = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  return Date.parse(zoned);
}

/**
 * Summarises the webhook audit log over a recent window: outcomes, status codes, 5xx rate,
 * retryable failures and the top errors, with alerts against the given thresholds. Reads only the last
 * `maxLines` lines (continuing into `<file>.1` right after a rotation). A missing file on a fresh install is
 * `ok` with a warning, not an alert.
 *
 * @example
 * const s = await webhookAuditSummary(ctx, { auditLogFile, sinceMinutes: 30, failOnHttp5xxRate: 5 });
 * process.exitCode = s.ok ? 0 : 1;
 */
export async function webhookAuditSummary(ctx: Pick<ReportContext, 'clock'>, input: WebhookAuditSummaryInput): Promise<WebhookAuditSummary> {
  const sinceMinutes = input.sinceMinutes ?? 60;
  const maxLines = input.maxLines ?? 5000;
  if (!Number.isInteger(sinceMinutes) || sinceMinutes < 1) throw new ReportError('usage', `--since-minutes must be an integer of at least 1 (got ${sinceMinutes}).`);
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new ReportError('usage', `--max-lines must be an integer of at least 1 (got ${maxLines}).`);
  const now = ctx.clock();
  const windowStart = now.getTime() - sinceMinutes * 60_000;
  const summary: WebhookAuditSummary = {
    ok: true,
    audit_log_file: input.auditLogFile,
    since_minutes: sinceMinutes,
    window_start: iso(new Date(windowStart)),
    window_end: iso(now),
    max_lines: maxLines,
    total_lines_read: 0,
    parse_errors: 0,
    considered_entries: 0,
    outcome_counts: {},
    status_code_counts: {},
    retryable_failures: 0,
    http_5xx_count: 0,
    http_5xx_rate_pct: 0,
    top_errors: [],
    rollup_counts: {},
    alerts: [],
    warnings: [],
  };
  if (!existsSync(input.auditLogFile)) {
    summary.warnings.push(`audit log file not found: ${input.auditLogFile} (nothing received yet?)`);
    return summary;
  }
  let lines: string[];
  try {
    lines = readTailLines(input.auditLogFile, maxLines);
    if (lines.length < maxLines && existsSync(`${input.auditLogFile}.1`)) lines = [...readTailLines(`${input.auditLogFile}.1`, maxLines - lines.length), ...lines];
  } catch (error) {
    return { ...summary, ok: false, error: `cannot read ${input.auditLogFile}: ${(error as Error).message}` };
  }
  const errors = new Map<string, number>();
  for (const line of lines) {
    if (!line.trim()) continue;
    summary.total_lines_read++;
    let entry: Record<string, unknown>;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      entry = parsed as Record<string, unknown>;
    } catch {
      summary.parse_errors++;
      continue;
    }
    const ts = parseTs(entry.ts);
    if (Number.isNaN(ts)) {
      summary.parse_errors++;
      continue;
    }
    if (ts < windowStart) continue;
    const outcome = typeof entry.outcome === 'string' && entry.outcome ? entry.outcome : 'unknown';
    if (entry.method === 'ROLLUP') {
      summary.rollup_counts[outcome] = (summary.rollup_counts[outcome] ?? 0) + 1;
      continue;
    }
    summary.considered_entries++;
    summary.outcome_counts[outcome] = (summary.outcome_counts[outcome] ?? 0) + 1;
    const status = typeof entry.status_code === 'number' ? entry.status_code : Number(entry.status_code);
    const statusKey = Number.isFinite(status) ? String(Math.trunc(status)) : 'unknown';
    summary.status_code_counts[statusKey] = (summary.status_code_counts[statusKey] ?? 0) + 1;
    if (status >= 500 && status <= 599) summary.http_5xx_count++;
    const retryable = Number(entry.retryable_failures);
    if (Number.isFinite(retryable) && retryable > 0) summary.retryable_failures += Math.trunc(retryable);
    if (typeof entry.error === 'string' && entry.error.trim()) errors.set(entry.error, (errors.get(entry.error) ?? 0) + 1);
  }
  summary.http_5xx_rate_pct = summary.considered_entries ? Math.round((10_000 * summary.http_5xx_count) / summary.considered_entries) / 100 : 0;
  summary.top_errors = [...errors].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count).slice(0, 10);
  if (input.failOnRetryableFailures !== undefined && summary.retryable_failures > input.failOnRetryableFailures) {
    summary.alerts.push(`retryable_failures_exceeded:${summary.retryable_failures}>${input.failOnRetryableFailures}`);
  }
  if (input.failOnHttp5xxRate !== undefined && summary.http_5xx_rate_pct > input.failOnHttp5xxRate) {
    summary.alerts.push(`http_5xx_rate_exceeded:${summary.http_5xx_rate_pct}>${input.failOnHttp5xxRate}`);
  }
  summary.ok = summary.alerts.length === 0;
  return summary;
}
