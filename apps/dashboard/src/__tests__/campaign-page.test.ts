import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignReport } from '@agentpr/reports';
import { runStatesOverTime } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { phaseCounts, STATE_PHASES } from '../views/campaign-view.js';
import { HOSTILE, HOSTILE_CAMPAIGN, openDashboardForTest, SEED_CAMPAIGNS, SEED_NOW, type TestDashboard } from './seed.js';
import { getPage, openSeededAndEmpty } from './page-fixtures.js';
import { chart, mainOf, tableRows, textOf, unsafeMarkup } from './page-html.js';

// /campaigns and /campaigns/:campaign over the shared seed: the list with counts and encoded links, runs by state
// over time (runStatesOverTime, day buckets), the funnel with merge rate and cost per merged PR (campaignReport),
// hostile names escaped, unknown campaigns 404, bad windows 400, a broken policy file shown in place.

let seedPath: string;
let dash: TestDashboard;
let empty: TestDashboard;

beforeAll(async () => {
  ({ seedPath, dash, empty } = await openSeededAndEmpty('campaign'));
});

afterAll(async () => {
  await dash?.close();
  await empty?.close();
  cleanupTempDirs();
});

const get = getPage;

const href = (name: string) => `/campaigns/${encodeURIComponent(name)}`;

describe('GET /campaigns', () => {
  it('lists every campaign with its runs, each linked to its page and to its runs', async () => {
    const { status, html } = await get(dash, '/campaigns');
    expect(status).toBe(200);
    const rows = tableRows(html, 'Campaigns runs were created under')!;
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      [SEED_CAMPAIGNS.deps, '4'],
      [SEED_CAMPAIGNS.docs, '4'],
      [expect.stringMatching(/^evil <script>alert\(1\)<\/script>/), '2'],
    ]);
    expect(html).toContain(`<a href="${href(SEED_CAMPAIGNS.deps)}">`);
    expect(html).toContain(`<a href="/?campaign=${SEED_CAMPAIGNS.docs}">its runs</a>`);
  });

  it('escapes the hostile campaign name and links it through one encoded path segment', async () => {
    const { html } = await get(dash, '/campaigns');
    expect(unsafeMarkup(html)).toEqual([]);
    expect(html).not.toContain(HOSTILE.script);
    expect(html).not.toContain(HOSTILE.img);
    expect(html).not.toContain('\u202E');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(`<a href="${href(HOSTILE_CAMPAIGN).replace(/&/g, '&amp;')}">`);
  });

  it('says how to start a campaign when no run has one', async () => {
    const { status, html } = await get(empty, '/campaigns');
    expect(status).toBe(200);
    expect(textOf(mainOf(html))).toContain('No run belongs to a campaign yet. Create runs with agentpr create-run --campaign NAME');
  });
});

describe('GET /campaigns/:campaign', () => {
  it('charts runs by state at the end of each of the last 30 days, with the counts runStatesOverTime gives', async () => {
    const { status, html } = await get(dash, href(SEED_CAMPAIGNS.deps));
    expect(status).toBe(200);
    expect(unsafeMarkup(html)).toEqual([]);
    const c = chart(html, 'chart-campaign-states');
    expect(c.columns).toEqual(['Day (UTC)', ...STATE_PHASES.map((p) => p.label), 'Total']);
    expect(c.rows).toHaveLength(30);
    expect(c.rows.at(-1)![0]).toBe(SEED_NOW.toISOString().slice(0, 10));
    const days = await runStatesOverTime(dash.deps.db, { since: c.rows[0]![0]! + 'T00:00:00.000Z', until: SEED_NOW.toISOString(), bucket: 'day', campaign: SEED_CAMPAIGNS.deps });
    expect(c.rows).toEqual(days.map((d) => {
      const phases = phaseCounts(d.counts);
      const counts = STATE_PHASES.map((p) => String(phases[p.key]));
      return [d.start.slice(0, 10), ...counts, String(Object.values(phases).reduce((a, b) => a + b, 0))];
    }));
    // Today: the merged run is done; one is on GitHub (CI_WAIT), one working (ITERATING), one queued.
    expect(c.rows.at(-1)).toEqual([SEED_NOW.toISOString().slice(0, 10), '1', '1', '1', '0', '1', '0', '4']);
    expect(c.legend).toEqual(STATE_PHASES.map((p) => p.label));
    expect(c.rects.length).toBeGreaterThan(4);
  });

  it('draws the funnel and states the merge rate and cost per merged PR of campaignReport', async () => {
    const { html } = await get(dash, href(SEED_CAMPAIGNS.deps));
    const report = await campaignReport(dash.deps.app, { campaign: SEED_CAMPAIGNS.deps });
    const c = chart(html, 'chart-campaign-funnel');
    expect(c.rows.map((r) => r.slice(0, 2))).toEqual(report.funnel.map((s, i) => [['Created', 'Prepared', 'Pushed', 'PR opened', 'Merged'][i], String(s.runs)]));
    expect(report.prs.merged).toBe(1);
    const text = textOf(mainOf(html));
    expect(text).toContain('Merge rate 100% (merged / (merged + closed unmerged))');
    expect(text).toContain(`PRs ${report.prs.opened} opened: 1 merged, 0 closed unmerged, ${report.prs.open} open, 0 stale`);
    const perMerged = report.cost.per_merged_pr!;
    expect(text).toContain(`Cost per merged PR ${perMerged.cost === null ? 'unknown' : '$'}`);
    expect(text).toContain(`(${perMerged.tokens.toLocaleString('en-US')} tokens)`);
    const costs = tableRows(html, 'Cost by repository, the costliest first')!;
    expect(costs.map((r) => r[0])).toEqual(report.cost.by_repository.map((r) => r.repository));
  });

  it('lists runs, agent attempts, tokens and cost per agent engine and model (issue 19)', async () => {
    const { html } = await get(dash, href(SEED_CAMPAIGNS.deps));
    const report = await campaignReport(dash.deps.app, { campaign: SEED_CAMPAIGNS.deps });
    const rows = tableRows(html, 'Cost by agent engine and model, the costliest first')!;
    expect(rows.map((r) => r.slice(0, 4))).toEqual(report.cost.by_engine.map((e) => [e.label, String(e.runs), String(e.attempts), e.total_tokens.toLocaleString('en-US')]));
    // The seed's deps-bump campaign: codex on its merged, CI-wait and iterating runs, claude on the iterating run's fix round.
    expect(rows.map((r) => [r[0], r[1], r[2]]).sort()).toEqual([
      ['claude · claude-sonnet-4-5', '1', '1'],
      ['codex · gpt-5-codex', '3', '4'],
    ]);
    const docs = await get(dash, href(SEED_CAMPAIGNS.docs));
    expect(tableRows(docs.html, 'Cost by agent engine and model, the costliest first')!.map((r) => r[0])).toEqual(['codex · gpt-5-codex']);
  });

  it('?window=7d reads seven day buckets and marks that window current', async () => {
    const { status, html } = await get(dash, `${href(SEED_CAMPAIGNS.docs)}?window=7d`);
    expect(status).toBe(200);
    expect(chart(html, 'chart-campaign-states').rows).toHaveLength(7);
    expect(html).toContain(`<a href="${href(SEED_CAMPAIGNS.docs)}?window=7d" aria-current="page">Last 7 days</a>`);
  });

  it('renders the hostile campaign with its name escaped and capped, in the title too', async () => {
    const { status, html } = await get(dash, href(HOSTILE_CAMPAIGN));
    expect(status).toBe(200);
    expect(unsafeMarkup(html)).toEqual([]);
    expect(html).not.toContain(HOSTILE.script);
    expect(html).not.toContain('\u202E');
    const title = /<title>([\s\S]*?)<\/title>/.exec(html)![1]!;
    expect(title.startsWith('Campaign evil &lt;script&gt;')).toBe(true);
    expect(chart(html, 'chart-campaign-states').rows.at(-1)!.at(-1)).toBe('2');
  });

  it.each([['/campaigns/no-such-campaign'], ['/campaigns/DEPS-BUMP'], [`/campaigns/${'x'.repeat(600)}`]])('%s is a 404', async (path) => {
    const { status, html } = await get(dash, path);
    expect(status).toBe(404);
    expect(textOf(mainOf(html))).toContain('No run was created under this campaign.');
  });

  it('a bad window is a 400 naming the allowed ones', async () => {
    const { status, html } = await get(dash, `${href(SEED_CAMPAIGNS.deps)}?window=24h`);
    expect(status).toBe(400);
    expect(textOf(mainOf(html))).toContain('window must be one of 7d, 30d, 60d; got "24h"');
  });

  it('shows why the funnel is missing when the policy file is broken, and still charts the runs by state', async () => {
    const dataDir = tempDir('dash-campaign-policy-');
    writeFileSync(join(dataDir, 'manager_policy.json'), '{ not json');
    const broken = await openDashboardForTest(seedPath, { dataDir });
    try {
      const { status, html } = await get(broken, href(SEED_CAMPAIGNS.deps));
      expect(status).toBe(200);
      expect(textOf(mainOf(html))).toMatch(/The funnel could not be computed: .*invalid JSON/);
      expect(chart(html, 'chart-campaign-states').rows).toHaveLength(30);
      expect(html).not.toContain('chart-campaign-funnel');
    } finally {
      await broken.close();
    }
  });
});
