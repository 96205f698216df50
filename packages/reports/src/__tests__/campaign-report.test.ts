import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir } from '@agentpr/testing';
import { campaignFunnelSvg, campaignReport, ReportError, type CampaignReportResult } from '../index.js';
import { HOUR, isoAt, seedCampaign, T0, type SeedRun } from './campaign-seed.js';
import { testReportPaths } from './report-test-context.js';
import { xmlProblems } from './xml-well-formed.js';

afterAll(() => cleanupTempDirs());

const PRICES = {
  'gpt-5-codex': { input_per_mtok: 1.25, cached_input_per_mtok: 0.125, output_per_mtok: 10 },
  codex: { input_per_mtok: 2, output_per_mtok: 8 },
  'claude-sonnet-4-5': { input_per_mtok: 3, cached_input_per_mtok: 0.3, output_per_mtok: 15 },
};
const POLICY = { pricing: { currency: 'USD', models: PRICES }, campaigns: { 'planned-only': {} } };

const A = (input: number, cached: number, output: number, reasoning = 0, model: string | null = 'gpt-5-codex', engine = 'codex') => ({ engine, model, input, cached, output, reasoning });
const CLAUDE = (input: number, cached: number, output: number) => A(input, cached, output, 0, 'claude-sonnet-4-5', 'claude');

/** The campaign under test: every stage, each PR outcome, each rejection kind that is seeded, runs outside it. */
const SEED: SeedRun[] = [
  { id: 'run_01', repo: 'alpha', campaign: 'acme-sdk', createdH: 0, prepared: true, pushed: true, attempts: [A(120_000, 40_000, 9_000, 3_000)], pr: { number: 11, openedH: 2, responseH: 5, mergedH: 26 } },
  { id: 'run_02', repo: 'beta', campaign: 'acme-sdk', createdH: 1, prepared: true, pushed: true, attempts: [A(200_000, 150_000, 12_000), A(80_000, 60_000, 4_000)], pr: { number: 12, openedH: 3, responseH: 4, mergedH: 99 } },
  { id: 'run_03', repo: 'gamma', campaign: 'acme-sdk', createdH: 2, prepared: true, pushed: true, attempts: [A(50_000, 0, 5_000, 1_000, null)], pr: { number: 13, openedH: 4, responseH: 30, closedH: 40, rejection: 'duplicate' } },
  { id: 'run_04', repo: 'delta', campaign: 'acme-sdk', createdH: 3, prepared: true, pushed: true, attempts: [A(70_000, 10_000, 6_000)], pr: { number: 14, openedH: 5, closedH: 700, stale: true, rejection: 'no_response' }, skippedAs: 'stale' },
  { id: 'run_05', repo: 'alpha', campaign: 'acme-sdk', createdH: 4, prepared: true, pushed: true, attempts: [A(30_000, 5_000, 2_000)], pr: { number: 15, openedH: 6 } },
  { id: 'run_06', repo: 'epsilon', campaign: 'acme-sdk', createdH: 5, prepared: true, pushed: true, attempts: [A(10_000, 0, 1_000), null], pr: { number: 16, openedH: 7, responseH: 8, closedH: 9 } },
  { id: 'run_07', repo: 'zeta', campaign: 'acme-sdk', createdH: 6, prepared: true, pushed: true, attempts: [A(40_000, 20_000, 3_000), CLAUDE(60_000, 30_000, 4_000)] },
  { id: 'run_08', repo: 'eta', campaign: 'acme-sdk', createdH: 7, prepared: true, attempts: [CLAUDE(25_000, 0, 2_500)] },
  { id: 'run_09', repo: 'theta', campaign: 'acme-sdk', createdH: 8, prepared: true },
  { id: 'run_10', repo: 'iota', campaign: 'acme-sdk', createdH: 9 },
  { id: 'run_11', repo: 'kappa', campaign: 'acme-sdk', createdH: 10, skippedAs: 'ai_policy_forbidden' },
  { id: 'run_12', repo: 'lambda', campaign: 'other', createdH: 0, prepared: true, pushed: true, attempts: [A(999_000, 0, 99_000)], pr: { number: 91, openedH: 2, mergedH: 3 } },
];

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

/** The figures the seed must produce, computed here from the seed data alone. */
function expected(runs: SeedRun[]) {
  const prs = runs.filter((r) => r.pr).map((r) => r.pr!);
  const merged = prs.filter((p) => p.mergedH !== undefined);
  const closed = prs.filter((p) => p.mergedH === undefined && p.closedH !== undefined);
  const price = (a: Omit<ReturnType<typeof A>, 'engine'>) => {
    const p = a.model === 'gpt-5-codex' ? { i: 1.25, c: 0.125, o: 10 } : a.model === 'claude-sonnet-4-5' ? { i: 3, c: 0.3, o: 15 } : { i: 2, c: 2, o: 8 };
    return ((a.input - a.cached) * p.i + a.cached * p.c + a.output * p.o) / 1e6;
  };
  const attempts = runs.flatMap((r) => r.attempts ?? []);
  const used = attempts.filter((a) => a !== null);
  const tokens = used.reduce((s, a) => s + a.input + a.output, 0);
  const cost = used.reduce((s, a) => s + price(a), 0);
  return {
    funnel: [
      runs.length,
      runs.filter((r) => r.prepared || r.pushed || r.pr).length,
      runs.filter((r) => r.pushed || r.pr).length,
      prs.length,
      merged.length,
    ],
    prs: {
      opened: prs.length,
      merged: merged.length,
      closed_unmerged: closed.length,
      open: prs.length - merged.length - closed.length,
      stale: prs.filter((p) => p.stale).length,
    },
    merge_rate: merged.length / (merged.length + closed.length),
    response: median(prs.filter((p) => p.responseH !== undefined).map((p) => (p.responseH! - p.openedH) * HOUR)),
    merge: median(merged.map((p) => (p.mergedH! - p.openedH) * HOUR)),
    tokens,
    cost,
    attempts: attempts.length,
    silent: attempts.length - used.length,
    /** Per engine and model: runs, attempts, tokens and cost. */
    byEngine: (engine: string, model: string | null) => {
      const mine = runs.filter((r) => r.attempts?.some((a) => a?.engine === engine && a.model === model));
      const group = used.filter((a) => a.engine === engine && a.model === model);
      const tokensOf = group.reduce((s, a) => s + a.input + a.output, 0);
      return { runs: mine.length, attempts: group.length, total_tokens: tokensOf, cost: group.reduce((s, a) => s + price(a), 0) };
    },
    rejections: { duplicate: closed.filter((p) => p.rejection === 'duplicate').length, no_response: closed.filter((p) => p.rejection === 'no_response').length },
    unclassified: closed.filter((p) => p.rejection === undefined).length,
  };
}

async function seeded(kind: 'sqlite' | 'postgres') {
  const tdb = await freshDatabase(kind);
  const store: OpenDatabase = await openStore(tdb.location);
  await seedCampaign(store.db, SEED);
  const data = tempDir('agentpr-campaign-report-');
  const paths = testReportPaths(data);
  writeFileSync(paths.policyFile, JSON.stringify(POLICY));
  const ctx = { db: store.db, clock: () => new Date(T0 + 1000 * HOUR), paths };
  return { ctx, paths, close: async () => (await store.close(), await tdb.drop()) };
}

describe.each(dialectsUnderTest())('campaignReport on %s', (kind) => {
  it('the funnel, PR outcomes, merge rate, medians, cost and rejections match figures computed from the seed itself', async () => {
    const { ctx, close } = await seeded(kind);
    try {
      const campaign = SEED.filter((r) => r.campaign === 'acme-sdk');
      const want = expected(campaign);
      const r = await campaignReport(ctx, { campaign: 'ACME-SDK' });
      expect(r.campaign).toBe('acme-sdk');
      expect(r.runs).toBe(campaign.length);
      expect(r.funnel.map((s) => s.stage)).toEqual(['created', 'prepared', 'pushed', 'pr_opened', 'merged']);
      expect(r.funnel.map((s) => s.runs)).toEqual(want.funnel);
      expect(r.prs).toEqual(want.prs);
      expect(r.merge_rate).toBeCloseTo(want.merge_rate, 4);
      expect(r.time_to_first_response).toEqual({ median_ms: want.response, count: 4 });
      expect(r.time_to_merge.median_ms).toBe(want.merge);
      expect(r.time_to_merge.histogram.reduce((s, b) => s + b.count, 0)).toBe(want.prs.merged);
      expect(r.by_state.DONE).toBe(want.prs.merged);
      expect(r.by_state.SKIPPED).toBe(2);
      expect(r.cost.total.total_tokens).toBe(want.tokens);
      expect(r.cost.total.cost).toBeCloseTo(want.cost, 6);
      expect(r.cost.total.agent_attempts).toBe(want.attempts);
      expect(r.cost.total.notes).toEqual([`${want.silent} of ${want.attempts} agent attempts recorded no token usage (not counted)`]);
      expect(r.cost.per_run!.cost).toBeCloseTo(want.cost / campaign.length, 5);
      expect(r.cost.per_merged_pr!.cost).toBeCloseTo(want.cost / want.prs.merged, 5);
      expect(r.cost.per_merged_pr!.tokens).toBe(Math.round(want.tokens / want.prs.merged));
      const alpha = r.cost.by_repository.find((x) => x.repository === 'acme/alpha')!;
      expect([alpha.runs, alpha.merged]).toEqual([2, 1]);
      expect(r.rejections).toMatchObject({ ...want.rejections, unclassified: want.unclassified, ai_policy: 0 });
      const engines = r.cost.by_engine.map((e) => [e.engine, e.model, e.runs, e.attempts, e.total_tokens]);
      expect(engines).toEqual(
        expect.arrayContaining([
          ['claude', 'claude-sonnet-4-5', ...Object.values(want.byEngine('claude', 'claude-sonnet-4-5')).slice(0, 3)],
          ['codex', 'gpt-5-codex', ...Object.values(want.byEngine('codex', 'gpt-5-codex')).slice(0, 3)],
          ['codex', null, ...Object.values(want.byEngine('codex', null)).slice(0, 3)],
          // The attempt that reported no usage recorded no engine either.
          [null, null, 1, 1, 0],
        ]),
      );
      expect(r.cost.by_engine).toHaveLength(4);
      const claude = r.cost.by_engine.find((e) => e.engine === 'claude')!;
      expect(claude.cost).toBeCloseTo(want.byEngine('claude', 'claude-sonnet-4-5').cost, 6);
      expect(r.cost.by_engine.reduce((s, e) => s + (e.cost ?? 0), 0)).toBeCloseTo(want.cost, 6);
      expect(r.by_campaign).toBeUndefined();
      expect(r.definitions.merge_rate).toContain('merged / (merged + closed unmerged)');
    } finally {
      await close();
    }
  });

  it('--since keeps the runs created from then on; without --campaign every campaign is counted, with a line each', async () => {
    const { ctx, close } = await seeded(kind);
    try {
      const late = await campaignReport(ctx, { campaign: 'acme-sdk', since: isoAt(8).slice(0, 19) + 'Z' });
      expect(late.runs).toBe(SEED.filter((r) => r.campaign === 'acme-sdk' && r.createdH >= 8).length);
      const all = await campaignReport(ctx, {});
      expect(all.campaign).toBeNull();
      expect(all.runs).toBe(SEED.length);
      expect(all.by_campaign!.map((c) => [c.campaign, c.runs, c.merged])).toEqual([
        ['acme-sdk', 11, 2],
        ['other', 1, 1],
      ]);
      const planned = await campaignReport(ctx, { campaign: 'planned-only' });
      expect([planned.runs, planned.merge_rate, planned.cost.per_merged_pr]).toEqual([0, null, null]);
    } finally {
      await close();
    }
  });

  it('an unknown campaign, a bad --since and a malformed price table are refused with one line', async () => {
    const { ctx, paths, close } = await seeded(kind);
    try {
      await expect(campaignReport(ctx, { campaign: 'nope' })).rejects.toThrow(/^unknown campaign "nope": known campaigns: acme-sdk, other, planned-only$/);
      await expect(campaignReport(ctx, { since: 'last tuesday' })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--since must be an ISO date') });
      writeFileSync(paths.policyFile, JSON.stringify({ pricing: { models: { 'gpt-5-codex': { input_per_mtok: 'cheap', output_per_mtok: 10 } } } }));
      const refused = await campaignReport(ctx, { campaign: 'acme-sdk' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ReportError);
      expect((refused as ReportError).code).toBe('config');
      expect((refused as ReportError).message).toMatch(/pricing\.models\.gpt-5-codex\.input_per_mtok: must be a number/);
      expect((refused as ReportError).message).not.toContain('\n');
    } finally {
      await close();
    }
  });
});

describe('campaignFunnelSvg', () => {
  it('is well-formed XML with a title, a description and a labelled bar per stage and bucket; labels are escaped', async () => {
    const { ctx, close } = await seeded('sqlite');
    try {
      const r: CampaignReportResult = await campaignReport(ctx, { campaign: 'acme-sdk' });
      const svg = campaignFunnelSvg({ ...r, campaign: 'acme <sdk> & "friends"' });
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).toMatch(/<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"/);
      expect(svg).toContain('<title id="chart-title">agentpr campaign funnel: acme &lt;sdk&gt; &amp; &quot;friends&quot;</title>');
      expect(svg).toMatch(/<desc id="chart-desc">[^<]*Runs at each stage: Created 11, Prepared 9, Pushed 7, PR opened 6, Merged 2\./);
      for (const [label, n] of [['Created', 11], ['Prepared', 9], ['Pushed', 7], ['PR opened', 6], ['Merged', 2]] as const) {
        expect(svg).toContain(`>${label}</text>`);
        expect(svg).toContain(`<title>${label}: ${n} (`);
      }
      expect(svg.match(/<g class="bucket">/g)).toHaveLength(r.time_to_merge.histogram.length);
      expect(svg).toContain('>1-3 d</text>');
      expect(xmlProblems('<svg><g></svg>')).not.toEqual([]);
    } finally {
      await close();
    }
  });
});
