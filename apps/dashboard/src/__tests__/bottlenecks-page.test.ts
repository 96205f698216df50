import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBottlenecks } from '@agentpr/reports';
import { formatDuration } from '@agentpr/reports/format-duration';
import { timeInStates } from '@agentpr/store';
import { cleanupTempDirs } from '@agentpr/testing';
import { SEED_NOW, SEED_RUN_IDS, type TestDashboard } from './seed.js';
import { getPage, openSeededAndEmpty } from './page-fixtures.js';
import { chart, mainOf, tableRows, textOf, unsafeMarkup } from './page-html.js';

// /bottlenecks over the shared seed: time per stage (timeInStates over the window) and per step (runBottlenecks) as
// charts whose tables carry the read models' numbers, the slowest runs linked, the window validated.

let dash: TestDashboard;
let empty: TestDashboard;

beforeAll(async () => {
  ({ dash, empty } = await openSeededAndEmpty('bottlenecks'));
});

afterAll(async () => {
  await dash?.close();
  await empty?.close();
  cleanupTempDirs();
});

const get = getPage;

describe('GET /bottlenecks', () => {
  it('charts the time per stage over the last 7 days with the numbers timeInStates gives, slowest median first', async () => {
    const { status, html } = await get(dash, '/bottlenecks');
    expect(status).toBe(200);
    expect(unsafeMarkup(html)).toEqual([]);
    const since = new Date(SEED_NOW.getTime() - 7 * 24 * 3_600_000).toISOString();
    const expected = (await timeInStates(dash.deps.db, { since, limit: 500 }))
      .filter((s) => s.runs > 0)
      .sort((a, b) => b.median_ms - a.median_ms || a.state.localeCompare(b.state));
    expect(expected.length).toBeGreaterThan(3);
    const c = chart(html, 'chart-time-per-state');
    expect(c.title).toBe('Time per stage, the last 7 days');
    expect(c.rows).toEqual(expected.map((s) => [s.state, formatDuration(s.median_ms), formatDuration(s.p90_ms)]));
    expect(c.rects).toHaveLength(expected.length * 2);
    expect(c.desc).toContain(`Slowest median: ${expected[0]!.state}`);
    expect(c.legend).toEqual(['median', 'p90']);
  });

  it('charts the time per step from runBottlenecks, and lists the slowest runs with links to their pages', async () => {
    const { html } = await get(dash, '/bottlenecks');
    const report = await runBottlenecks(dash.deps.app, { limit: 50 });
    const c = chart(html, 'chart-time-per-step');
    const steps = [...report.step_bottlenecks].sort((a, b) => b.median_duration_ms - a.median_duration_ms || a.step.localeCompare(b.step));
    expect(c.rows).toEqual(steps.map((s) => [s.step, formatDuration(s.median_duration_ms), formatDuration(s.p90_duration_ms)]));
    expect(c.rows.map((r) => r[0])).toEqual(expect.arrayContaining(['agent', 'prepare', 'preflight', 'finish']));
    const slowest = tableRows(html, 'Slowest runs by total step time')!;
    expect(slowest.map((r) => r[0])).toEqual(report.slowest_runs.map((r) => r.run_id));
    expect(slowest[0]![3]).toBe(formatDuration(report.slowest_runs[0]!.total_step_duration_ms));
    expect(html).toContain(`<a href="/runs/${SEED_RUN_IDS.ciWait}">`);
  });

  it('says which agent engines ran each step\'s attempts (issue 19)', async () => {
    const { html } = await get(dash, '/bottlenecks');
    const report = await runBottlenecks(dash.deps.app, { limit: 50 });
    const agent = report.step_bottlenecks.find((s) => s.step === 'agent')!;
    expect(agent.engines.claude).toBeGreaterThan(0);
    const line = textOf(/<p class="engines">[\s\S]*?<\/p>/.exec(html)![0]);
    expect(line).toBe(`Attempts per engine: agent: ${Object.entries(agent.engines).map(([e, n]) => `${e} ${n}`).join(', ')}`);
  });

  it('?window=24h counts only the runs changed in the last day and marks that window current', async () => {
    const { status, html } = await get(dash, '/bottlenecks?window=24h');
    expect(status).toBe(200);
    expect(html).toContain('<a href="/bottlenecks?window=24h" aria-current="page">Last 24 hours</a>');
    const since = new Date(SEED_NOW.getTime() - 24 * 3_600_000).toISOString();
    const expected = (await timeInStates(dash.deps.db, { since, limit: 500 })).filter((s) => s.runs > 0);
    const c = chart(html, 'chart-time-per-state');
    expect(c.title).toBe('Time per stage, the last 24 hours');
    expect(c.rows.map((r) => r[0]).sort()).toEqual(expected.map((s) => s.state).sort());
  });

  it.each([['/bottlenecks?window=1y'], ['/bottlenecks?window='], ['/bottlenecks?window=24h&window=7d']])('%s is a 400 naming the allowed windows', async (path) => {
    const { status, html } = await get(dash, path);
    expect(status).toBe(400);
    expect(textOf(mainOf(html))).toContain('window must be one of 24h, 7d, 30d');
  });

  it('shows empty states, not empty charts, on a store without runs', async () => {
    const { status, html } = await get(empty, '/bottlenecks');
    expect(status).toBe(200);
    const text = textOf(mainOf(html));
    expect(text).toContain('No run left a state in the last 7 days.');
    expect(text).toContain('No step attempt is recorded yet.');
    expect(text).toContain('No run has step attempts yet.');
    expect(html).not.toContain('<svg xmlns');
  });
});
