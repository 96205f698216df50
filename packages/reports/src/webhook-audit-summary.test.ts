import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { readTailLines, webhookAuditSummary } from './webhook-audit-summary.js';

afterAll(() => cleanupTempDirs());

const now = new Date('2026-11-23T12:00:00.000Z');
const ctx = { clock: () => now };
const line = (minutesAgo: number, status: number, outcome: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ts: new Date(now.getTime() - minutesAgo * 60_000).toISOString(), method: 'POST', path: '/github/webhook', event: 'check_run', delivery: 'd', status_code: status, outcome, processed: 0, ignored: 0, retryable_failures: 0, error: '', ...extra });

describe('webhookAuditSummary', () => {
  it('webhookAuditSummary of a missing file is ok with a warning, not an alert', async () => {
    const file = join(tempDir(), 'none.jsonl');
    const s = await webhookAuditSummary(ctx, { auditLogFile: file, failOnHttp5xxRate: 0 });
    expect(s).toMatchObject({ ok: true, considered_entries: 0, alerts: [], warnings: [expect.stringContaining(file)] });
  });

  it('webhookAuditSummary counts the window, skips older lines and parse errors, and alerts past the thresholds', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    writeFileSync(
      file,
      [
        line(120, 500, 'unhandled_error', { error: 'old' }),
        'not json',
        JSON.stringify({ ts: 'yesterday', outcome: 'x' }),
        line(30, 200, 'processed', { processed: 1 }),
        line(20, 500, 'unhandled_error', { error: 'unhandled webhook error: db', retryable_failures: 1 }),
        line(10, 500, 'unhandled_error', { error: 'unhandled webhook error: db', retryable_failures: 1 }),
        line(5, 401, 'invalid_signature', { error: 'invalid webhook signature' }),
        JSON.stringify({ ts: '2026-11-23T11:59:00', method: 'ROLLUP', status_code: 0, outcome: 'rollup_success' }),
        '',
      ].join('\n'),
    );
    const s = await webhookAuditSummary(ctx, { auditLogFile: file, sinceMinutes: 60, failOnRetryableFailures: 1, failOnHttp5xxRate: 40 });
    expect(s).toMatchObject({
      ok: false,
      total_lines_read: 8,
      parse_errors: 2,
      considered_entries: 4,
      outcome_counts: { processed: 1, unhandled_error: 2, invalid_signature: 1 },
      status_code_counts: { '200': 1, '500': 2, '401': 1 },
      retryable_failures: 2,
      http_5xx_count: 2,
      http_5xx_rate_pct: 50,
      rollup_counts: { rollup_success: 1 },
      top_errors: [
        { error: 'unhandled webhook error: db', count: 2 },
        { error: 'invalid webhook signature', count: 1 },
      ],
      alerts: ['retryable_failures_exceeded:2>1', 'http_5xx_rate_exceeded:50>40'],
      window_start: '2026-11-23T11:00:00.000Z',
    });
    expect((await webhookAuditSummary(ctx, { auditLogFile: file, failOnRetryableFailures: 2, failOnHttp5xxRate: 50 })).ok).toBe(true);
  });

  it('webhookAuditSummary reads only the last max_lines lines, continuing into the rotated file', async () => {
    const file = join(tempDir(), 'audit.jsonl');
    writeFileSync(`${file}.1`, `${[line(3, 500, 'unhandled_error'), line(2, 500, 'unhandled_error')].join('\n')}\n`);
    writeFileSync(file, `${line(1, 200, 'processed')}\n`);
    const s = await webhookAuditSummary(ctx, { auditLogFile: file, maxLines: 2 });
    expect(s).toMatchObject({ total_lines_read: 2, outcome_counts: { processed: 1, unhandled_error: 1 } });
  });

  it('webhookAuditSummary rejects a zero window or line count', async () => {
    await expect(webhookAuditSummary(ctx, { auditLogFile: '/x', sinceMinutes: 0 })).rejects.toMatchObject({ code: 'usage' });
    await expect(webhookAuditSummary(ctx, { auditLogFile: '/x', maxLines: 0 })).rejects.toMatchObject({ code: 'usage' });
  });
});

describe('readTailLines', () => {
  it('readTailLines returns the last lines of a file bigger than its read block, multi-byte text intact', () => {
    const file = join(tempDir(), 'big.jsonl');
    for (let i = 0; i < 3000; i++) appendFileSync(file, `{"n":${i},"pad":"${'é'.repeat(40)}"}\n`);
    const lines = readTailLines(file, 5);
    expect(lines.map((l) => JSON.parse(l).n)).toEqual([2995, 2996, 2997, 2998, 2999]);
    expect(readTailLines(file, 10_000)).toHaveLength(3000);
  });
});
