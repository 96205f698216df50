import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliveriesOverTime } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { openDashboardForTest, SEED_NOW, type TestDashboard } from './seed.js';
import { getPage, openSeededAndEmpty } from './page-fixtures.js';
import { chart, mainOf, tableRows, textOf, unsafeMarkup } from './page-html.js';

// /webhook over the shared seed (24 answers in the last day, 17 stored deliveries, 2 refused and 2 failed with 5xx):
// the audit summary per window with the thresholds crossed shown as warnings, the stored deliveries per hour by
// outcome, a missing audit log as an explained empty state, a bad window 400.

let seedPath: string;
let emptyDb: string;
let dash: TestDashboard;
let empty: TestDashboard;

beforeAll(async () => {
  ({ seedPath, emptyPath: emptyDb, dash, empty } = await openSeededAndEmpty('webhook'));
});

afterAll(async () => {
  await dash?.close();
  await empty?.close();
  cleanupTempDirs();
});

const get = getPage;

describe('GET /webhook', () => {
  it('summarises the audit log over the last hour, day and week, and warns about the thresholds crossed', async () => {
    const { status, html } = await get(dash, '/webhook');
    expect(status).toBe(200);
    expect(unsafeMarkup(html)).toEqual([]);
    const rows = tableRows(html, 'Webhook answers from the audit log')!;
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['Last hour', '1'],
      ['Last 24 hours', '24'],
      ['Last 7 days', '24'],
    ]);
    expect(rows[1]![2]).toBe('processed 13, ignored 5, duplicate 2, error 2, refused 2');
    expect(rows[1]![3]).toBe('2 (8.33%)');
    expect(rows[1]![4]).toBe('2');
    expect(rows[0]![5]).toBe('ok');
    expect(rows[1]![5]).toBe('threshold crossed');
    const text = textOf(mainOf(html));
    expect(text).toContain('Thresholds crossed: Last 24 hours: 2 retryable failures (threshold 0) Last 24 hours: 8.33% of answers were 5xx (threshold 5%)');
    expect(tableRows(html, 'Most frequent errors, last 24 hours')).toEqual([
      ['bad signature', '2'],
      ['database is locked', '2'],
    ]);
  });

  it('charts the deliveries stored per hour of the last 24 hours by outcome, with the counts the store gives', async () => {
    const { html } = await get(dash, '/webhook');
    const c = chart(html, 'chart-webhook-deliveries');
    expect(c.rows).toHaveLength(24);
    const first = c.rows[0]![0]!;
    const buckets = await webhookDeliveriesOverTime(dash.deps.db, { since: `${first.replace(' ', 'T')}:00.000Z`, until: SEED_NOW.toISOString(), bucket: 'hour' });
    expect(c.columns).toEqual(['Hour (UTC)', 'processed', 'ignored', 'Total']);
    expect(c.rows).toEqual(buckets.map((b) => [`${b.start.slice(0, 10)} ${b.start.slice(11, 13)}:00`, String(b.by_outcome.processed ?? 0), String(b.by_outcome.ignored ?? 0), String(b.total)]));
    expect(c.desc).toBe('17 deliveries stored in the last 24 hours: processed 12, ignored 5.');
    expect(c.legend).toEqual(['processed', 'ignored']);
    expect(c.rects).toHaveLength(17);
  });

  it('?window=7d reads 168 hour buckets', async () => {
    const { status, html } = await get(dash, '/webhook?window=7d');
    expect(status).toBe(200);
    expect(chart(html, 'chart-webhook-deliveries').rows).toHaveLength(168);
    expect(html).toContain('<a href="/webhook?window=7d" aria-current="page">Last 7 days</a>');
  });

  it('a bad window is a 400 naming the allowed ones', async () => {
    const { status, html } = await get(dash, '/webhook?window=30d');
    expect(status).toBe(400);
    expect(textOf(mainOf(html))).toContain('window must be one of 24h, 7d; got "30d"');
  });

  it('explains a missing audit log instead of failing, and says when no delivery was stored', async () => {
    const dataDir = tempDir('dash-webhook-nolog-');
    const fresh = await openDashboardForTest(emptyDb, { dataDir });
    try {
      const { status, html } = await get(fresh, '/webhook');
      expect(status).toBe(200);
      const text = textOf(mainOf(html));
      expect(text).toContain('The webhook has not written an audit log yet.');
      expect(text).toContain(`No file at ${join(dataDir, 'reports', 'github_webhook_audit.jsonl')}`);
      expect(text).toContain('No webhook delivery was stored in the last 24 hours.');
      expect(html).not.toContain('<svg xmlns');
    } finally {
      await fresh.close();
    }
  });

  it('reads the audit log the policy names, and counts an empty one as no answers', async () => {
    const dataDir = tempDir('dash-webhook-policy-');
    mkdirSync(join(dataDir, 'logs'));
    writeFileSync(join(dataDir, 'logs', 'hooks.jsonl'), '');
    writeFileSync(join(dataDir, 'manager_policy.json'), JSON.stringify({ github_webhook: { audit_log_file: 'logs/hooks.jsonl' } }));
    const custom = await openDashboardForTest(seedPath, { dataDir });
    try {
      const { status, html } = await get(custom, '/webhook');
      expect(status).toBe(200);
      expect(tableRows(html, 'Webhook answers from the audit log')!.map((r) => r[1])).toEqual(['0', '0', '0']);
      expect(textOf(mainOf(html))).toContain(`Read from ${join(dataDir, 'logs', 'hooks.jsonl')}`);
      expect(textOf(mainOf(html))).toContain('No threshold crossed');
    } finally {
      await custom.close();
    }
  });

  it('says the audit log cannot be summarised when the policy file is broken', async () => {
    const dataDir = tempDir('dash-webhook-broken-');
    writeFileSync(join(dataDir, 'manager_policy.json'), '{ not json');
    const broken = await openDashboardForTest(seedPath, { dataDir });
    try {
      const { status, html } = await get(broken, '/webhook');
      expect(status).toBe(200);
      expect(textOf(mainOf(html))).toMatch(/The audit log cannot be summarised: the policy file cannot be used: invalid JSON/);
      expect(chart(html, 'chart-webhook-deliveries').rows).toHaveLength(24);
    } finally {
      await broken.close();
    }
  });
});
