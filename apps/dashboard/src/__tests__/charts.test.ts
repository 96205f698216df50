import { describe, expect, it } from 'vitest';
import { jsx } from 'hono/jsx';
import { formatDuration } from '@agentpr/reports/format-duration';
import { COUNT_UNIT, durationUnit, tickText } from '../charts/axis-units.js';
import { HorizontalBarChart, type HorizontalBarChartProps } from '../charts/bar-chart.js';
import { chartLabel } from '../charts/chart-theme.js';
import { FunnelChart, type FunnelChartProps } from '../charts/funnel-chart.js';
import { StackedTimeChart, type StackedTimeChartProps } from '../charts/stacked-time-chart.js';
import { OTHER_OUTCOME, outcomeSeries, outcomeValues } from '../views/webhook-view.js';
import { attr, chart, unsafeMarkup } from './page-html.js';

// The charts render to strings here (hono/jsx) and are read back: the SVG's accessible name and description, the
// shapes' geometry against the numbers, the labels in text, the table of the same numbers, and hostile labels.

const MIN = 60_000;

async function render<P extends object>(component: (props: P) => unknown, props: P): Promise<string> {
  return String(await jsx(component as never, props as never).toString());
}

const HOSTILE = '\u202Eevil <script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1)';

function barProps(over: Partial<HorizontalBarChartProps> = {}): HorizontalBarChartProps {
  return {
    id: 'chart-test-bars',
    title: 'Time per step',
    desc: 'Median and p90 per step.',
    series: [
      { label: 'median', slot: 1 },
      { label: 'p90', slot: 4 },
    ],
    rows: [
      { label: 'agent', values: [4 * MIN, 7 * MIN] },
      { label: 'prepare', values: [30_000, 40_000] },
    ],
    format: formatDuration,
    unit: durationUnit(7 * MIN),
    tableCaption: 'Time per step',
    rowHeader: 'Step',
    ...over,
  };
}

describe('HorizontalBarChart', () => {
  it('draws an accessible SVG: role img, named by its title, described by its desc, with the same numbers in a table', async () => {
    const c = chart(await render(HorizontalBarChart, barProps()), 'chart-test-bars');
    expect(c.svgTag).toContain('role="img"');
    expect(c.svgTag).toContain('aria-labelledby="chart-test-bars-title chart-test-bars-desc"');
    expect(c.svg).toContain('<title id="chart-test-bars-title">Time per step</title>');
    expect(c.desc).toBe('Median and p90 per step.');
    expect(c.legend).toEqual(['median', 'p90']);
    expect(c.caption).toBe('Time per step');
    expect(c.columns).toEqual(['Step', 'median', 'p90']);
    expect(c.rows).toEqual([
      ['agent', '4 min', '7 min'],
      ['prepare', '30 s', '40 s'],
    ]);
  });

  it('makes each bar as long as its value on a nice minutes axis, and writes the value next to it', async () => {
    const c = chart(await render(HorizontalBarChart, barProps()), 'chart-test-bars');
    expect(c.rects).toHaveLength(4);
    const widths = c.rects.map((r) => attr(r, 'width'));
    // 7 min is the axis maximum (nice), so 4 min is 4/7 of it and 30 s 1/14.
    expect(widths[0]! / widths[1]!).toBeCloseTo(4 / 7, 2);
    expect(widths[2]! / widths[1]!).toBeCloseTo(0.5 / 7, 2);
    expect(c.rects.every((r) => /class="series-[14]"/.test(r) && /fill="#[0-9a-f]{6}"/.test(r))).toBe(true);
    expect(c.texts).toEqual(expect.arrayContaining(['0 min', '1 min', '7 min', 'agent', 'prepare', 'median 4 min', 'p90 7 min', 'median 30 s']));
    expect(c.svg).toContain('<title>agent, p90: 7 min</title>');
  });

  it('escapes and caps a hostile row label, and replaces its bidi override', async () => {
    const html = await render(HorizontalBarChart, barProps({ rows: [{ label: HOSTILE, values: [MIN, 2 * MIN] }] }));
    expect(unsafeMarkup(html)).toEqual([]);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('\u202E');
    const c = chart(html, 'chart-test-bars');
    expect(c.texts).toContain(chartLabel(HOSTILE));
    expect(chartLabel(HOSTILE)).toHaveLength(28);
    expect(c.rows[0]![0]).toBe(`\uFFFDevil <script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1)`);
  });

  it('draws zero values as empty bars on a 0..1 axis when every value is 0', async () => {
    const c = chart(await render(HorizontalBarChart, barProps({ rows: [{ label: 'idle', values: [0, 0] }], unit: COUNT_UNIT, format: String })), 'chart-test-bars');
    expect(c.rects.map((r) => attr(r, 'width'))).toEqual([0, 0]);
    expect(c.texts).toEqual(expect.arrayContaining(['0', '1']));
  });
});

function stackProps(over: Partial<StackedTimeChartProps> = {}): StackedTimeChartProps {
  const day = (d: number) => new Date(Date.UTC(2026, 10, d));
  return {
    id: 'chart-test-stack',
    title: 'Runs by state',
    desc: 'Runs by phase per day.',
    series: [
      { key: 'done', label: 'Done', slot: 3 },
      { key: 'working', label: 'Working', slot: 1 },
    ],
    buckets: [
      { start: day(1), values: { done: 1, working: 3 } },
      { start: day(2), values: {} },
      { start: day(3), values: { done: 4, working: 4 } },
    ],
    bucket: 'day',
    tableCaption: 'Runs by phase per day',
    ...over,
  };
}

describe('StackedTimeChart', () => {
  it('stacks one segment per non-zero count, bottom series first, heights proportional to the counts', async () => {
    const c = chart(await render(StackedTimeChart, stackProps()), 'chart-test-stack');
    expect(c.rects).toHaveLength(4);
    const [done1, done3, working1, working3] = c.rects;
    expect(c.svg).toMatch(/<g class="series-3" fill="#[0-9a-f]{6}"><rect [^>]*><title>Done, 2026-11-01: 1<\/title>/);
    expect(c.svg).toContain('<title>Working, 2026-11-03: 4</title>');
    // Each segment loses one unit to the gap that keeps neighbours apart.
    const height = (r: string) => attr(r, 'height') + 1;
    expect(height(working1!) / height(done1!)).toBeCloseTo(3, 1);
    expect(height(done3!)).toBeCloseTo(height(working3!), 1);
    // The bottom series sits below the one stacked on it.
    expect(attr(done3!, 'y')).toBeGreaterThan(attr(working3!, 'y'));
    // The buckets sit left to right in time order.
    expect(attr(done1!, 'x')).toBeLessThan(attr(done3!, 'x'));
  });

  it('labels the count axis with integer ticks and the time axis with dates, and tables every bucket with its total', async () => {
    const c = chart(await render(StackedTimeChart, stackProps()), 'chart-test-stack');
    expect(c.texts).toEqual(expect.arrayContaining(['0', '2', '4', '6', '8']));
    expect(c.texts.some((t) => /^11-0[123]$/.test(t))).toBe(true);
    expect(c.texts.some((t) => t.includes('.'))).toBe(false);
    expect(c.columns).toEqual(['Day (UTC)', 'Done', 'Working', 'Total']);
    expect(c.rows).toEqual([
      ['2026-11-01', '1', '3', '4'],
      ['2026-11-02', '0', '0', '0'],
      ['2026-11-03', '4', '4', '8'],
    ]);
    expect(c.legend).toEqual(['Done', 'Working']);
  });

  it('names hour buckets by their UTC hour', async () => {
    const hour = (h: number) => new Date(Date.UTC(2026, 11, 1, h));
    const props = stackProps({ bucket: 'hour', buckets: [{ start: hour(9), values: { done: 1 } }, { start: hour(10), values: { working: 2 } }] });
    const c = chart(await render(StackedTimeChart, props), 'chart-test-stack');
    expect(c.columns[0]).toBe('Hour (UTC)');
    expect(c.rows.map((r) => r[0])).toEqual(['2026-12-01 09:00', '2026-12-01 10:00']);
    expect(c.texts).toEqual(expect.arrayContaining(['09:00', '10:00']));
  });
});

function funnelProps(over: Partial<FunnelChartProps> = {}): FunnelChartProps {
  return {
    id: 'chart-test-funnel',
    title: 'Funnel',
    desc: 'Created 8, merged 2.',
    stages: [
      { label: 'Created', value: 8 },
      { label: 'Pushed', value: 4 },
      { label: 'Merged', value: 2 },
      { label: 'Closed', value: 0 },
    ],
    slot: 1,
    tableCaption: 'Funnel',
    ...over,
  };
}

describe('FunnelChart', () => {
  it('centres one bar per stage, as wide as its share of the widest, with the count and share in text', async () => {
    const c = chart(await render(FunnelChart, funnelProps()), 'chart-test-funnel');
    const widths = c.rects.map((r) => attr(r, 'width'));
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.5, 2);
    expect(widths[2]! / widths[0]!).toBeCloseTo(0.25, 2);
    expect(widths[3]).toBe(0);
    const centres = c.rects.map((r) => attr(r, 'x') + attr(r, 'width') / 2);
    expect(new Set(centres).size).toBe(1);
    expect(c.texts).toEqual(['Created', '8 (100%)', 'Pushed', '4 (50%)', 'Merged', '2 (25%)', 'Closed', '0 (0%)']);
  });

  it('tables each stage with its share of the first and of the stage before', async () => {
    const c = chart(await render(FunnelChart, funnelProps()), 'chart-test-funnel');
    expect(c.columns).toEqual(['Stage', 'Runs', 'Of the first stage', 'Of the stage before']);
    expect(c.rows).toEqual([
      ['Created', '8', '100%', '-'],
      ['Pushed', '4', '50%', '50%'],
      ['Merged', '2', '25%', '50%'],
      ['Closed', '0', '0%', '0%'],
    ]);
  });

  it('shows an empty funnel (no runs) without dividing by zero', async () => {
    const c = chart(await render(FunnelChart, funnelProps({ stages: [{ label: 'Created', value: 0 }, { label: 'Merged', value: 0 }] })), 'chart-test-funnel');
    expect(c.rects.map((r) => attr(r, 'width'))).toEqual([0, 0]);
    expect(c.rows).toEqual([
      ['Created', '0', '-', '-'],
      ['Merged', '0', '-', '-'],
    ]);
  });
});

describe('chart helpers', () => {
  it('chartLabel replaces control and bidi characters, folds newlines and caps at the limit with an ellipsis', () => {
    expect(chartLabel('a\u202Eb\u0007c')).toBe('a\uFFFDb\uFFFDc');
    expect(chartLabel('two\nlines')).toBe('two lines');
    expect(chartLabel('x'.repeat(40), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(chartLabel('short', 10)).toBe('short');
  });

  it('durationUnit reads durations in the unit whose nice ticks fall on round numbers', () => {
    expect(durationUnit(900).unit).toBe('ms');
    expect(durationUnit(30_000).unit).toBe('s');
    expect(durationUnit(7 * MIN).unit).toBe('min');
    expect(durationUnit(5 * 60 * MIN).unit).toBe('h');
    expect(durationUnit(3 * 24 * 60 * MIN).unit).toBe('d');
    expect(tickText(2.5, durationUnit(7 * MIN))).toBe('2.5 min');
    expect(tickText(0.30000000000000004, COUNT_UNIT)).toBe('0.3');
  });

  it('outcomeSeries keeps fixed colours for known outcomes and folds the least frequent into "other" beyond six', () => {
    const bucket = (by: Record<string, number>) => ({ start: '2026-12-01T00:00:00.000Z', total: Object.values(by).reduce((a, b) => a + b, 0), by_outcome: by });
    const few = outcomeSeries([bucket({ processed: 5, refused: 1 }), bucket({ pending: 2, weird: 1 })]);
    expect(few).toEqual([
      { key: 'processed', slot: 3 },
      { key: 'pending', slot: 4 },
      { key: 'refused', slot: 2 },
      { key: 'weird', slot: 1 },
    ]);
    const many = outcomeSeries([bucket({ a: 9, b: 8, c: 7, d: 6, e: 5, f: 4, g: 3 })]);
    expect(many.map((s) => s.key)).toEqual(['a', 'b', 'c', 'd', 'e', OTHER_OUTCOME]);
    expect(new Set(many.map((s) => s.slot)).size).toBe(6);
    expect(outcomeValues(bucket({ a: 1, f: 2, g: 3 }), many)).toEqual({ a: 1, [OTHER_OUTCOME]: 5 });
  });
});
