import { scaleLinear, scaleUtc } from 'd3-scale';
import { stack } from 'd3-shape';
import { ChartFigure, type ChartTable } from './chart-figure.js';
import { chartLabel, px, seriesPaint, type ChartBox, type SeriesSlot } from './chart-theme.js';

/** One stacked series: its key in the buckets' values, its name and its colour slot. */
export interface StackSeries {
  key: string;
  label: string;
  slot: SeriesSlot;
}

/** One time bucket: its start and a count per series key (missing keys count 0). */
export interface StackBucket {
  start: Date;
  values: Readonly<Record<string, number>>;
}

/** Props of {@link StackedTimeChart}. */
export interface StackedTimeChartProps {
  id: string;
  title: string;
  desc: string;
  /** Bottom first. */
  series: readonly StackSeries[];
  buckets: readonly StackBucket[];
  bucket: 'hour' | 'day';
  tableCaption: string;
}

const HOUR_MS = 3_600_000;
const BOX: ChartBox = { width: 720, height: 260, top: 10, right: 12, bottom: 30, left: 48 };

/** A bucket's start as its table row header and axis text (UTC, as the store buckets). */
export function bucketLabel(start: Date, bucket: 'hour' | 'day'): string {
  const iso = start.toISOString();
  return bucket === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00`;
}

function tickLabel(t: Date, bucket: 'hour' | 'day', spanMs: number): string {
  const iso = t.toISOString();
  if (bucket === 'day' || spanMs > 2 * 24 * HOUR_MS) return iso.slice(5, 10);
  return `${iso.slice(11, 13)}:00`;
}

function stackTable(props: StackedTimeChartProps): ChartTable {
  return {
    caption: props.tableCaption,
    columns: [props.bucket === 'day' ? 'Day (UTC)' : 'Hour (UTC)', ...props.series.map((s) => s.label), 'Total'],
    rows: props.buckets.map((b) => {
      const counts = props.series.map((s) => b.values[s.key] ?? 0);
      return [bucketLabel(b.start, props.bucket), ...counts, counts.reduce((x, y) => x + y, 0)] as const;
    }),
  };
}

/**
 * Stacked bars over time (runs by state per day, deliveries by outcome per hour): a UTC time axis (d3 `scaleUtc`
 * with its ticks), a count axis with nice integer ticks, the stack laid out by d3-shape `stack`, one bar per bucket,
 * each segment titled with its series, bucket and count, and the numbers in a table.
 */
export function StackedTimeChart(props: StackedTimeChartProps) {
  const b = BOX;
  const bucketMs = props.bucket === 'day' ? 24 * HOUR_MS : HOUR_MS;
  const first = props.buckets[0]?.start.getTime() ?? 0;
  const last = (props.buckets.at(-1)?.start.getTime() ?? 0) + bucketMs;
  const x = scaleUtc()
    .domain([new Date(first), new Date(last)])
    .range([b.left, b.width - b.right]);
  const layers = stack<StackBucket, string>()
    .keys(props.series.map((s) => s.key))
    .value((d, key) => Math.max(0, d.values[key] ?? 0))([...props.buckets]);
  const max = Math.max(0, ...props.buckets.map((bk) => props.series.reduce((sum, s) => sum + Math.max(0, bk.values[s.key] ?? 0), 0)));
  const y = scaleLinear()
    .domain([0, Math.max(1, max)])
    .nice()
    .range([b.height - b.bottom, b.top]);
  const yTicks = y.ticks(5).filter((t) => Number.isInteger(t));
  const xTicks = x.ticks(6);
  const slot = (x(new Date(first + bucketMs)) - x(new Date(first))) || 1;
  const barW = Math.max(1, slot * 0.8);
  return (
    <ChartFigure id={props.id} title={props.title} desc={props.desc} width={b.width} height={b.height} legend={props.series} table={stackTable(props)}>
      <g class="grid axis" aria-hidden="true">
        {yTicks.map((t) => (
          <g>
            <line x1={px(b.left)} x2={px(b.width - b.right)} y1={px(y(t))} y2={px(y(t))} stroke="#c9ced4" />
            <text x={px(b.left - 6)} y={px(y(t))} text-anchor="end" dominant-baseline="middle">
              {String(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text x={px(x(t))} y={px(b.height - b.bottom + 16)} text-anchor="middle">
            {tickLabel(t, props.bucket, last - first)}
          </text>
        ))}
      </g>
      {layers.map((layer, k) => {
        const s = props.series[k]!;
        return (
          <g {...seriesPaint(s.slot)}>
            {layer
              .filter((seg) => seg[1] > seg[0])
              .map((seg) => {
                const top = y(seg[1]);
                // A one-unit gap between stacked segments keeps neighbouring colours apart.
                const h = Math.max(1, y(seg[0]) - top - 1);
                return (
                  <rect x={px(x(seg.data.start) + (slot - barW) / 2)} y={px(top)} width={px(barW)} height={px(h)}>
                    <title>{`${chartLabel(s.label)}, ${bucketLabel(seg.data.start, props.bucket)}: ${seg[1] - seg[0]}`}</title>
                  </rect>
                );
              })}
          </g>
        );
      })}
      <line class="axis" x1={px(b.left)} x2={px(b.width - b.right)} y1={px(b.height - b.bottom)} y2={px(b.height - b.bottom)} stroke="currentColor" />
    </ChartFigure>
  );
}
