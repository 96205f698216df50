import { scaleBand, scaleLinear } from 'd3-scale';
import { ChartFigure, type ChartTable } from './chart-figure.js';
import { chartLabel, px, seriesPaint, type ChartBox, type SeriesSlot } from './chart-theme.js';
import { COUNT_UNIT, tickText, type AxisUnit } from './axis-units.js';

/** One series of a bar chart (e.g. "median", "p90"). */
export interface BarSeries {
  label: string;
  slot: SeriesSlot;
}

/** One row: its label and one value per series (in the series' order). */
export interface BarRow {
  label: string;
  values: readonly number[];
}

/** Props of {@link HorizontalBarChart}. */
export interface HorizontalBarChartProps {
  id: string;
  title: string;
  desc: string;
  series: readonly BarSeries[];
  rows: readonly BarRow[];
  /** How each value is written next to its bar and in the table (e.g. a duration). */
  format: (value: number) => string;
  /** The axis unit (values are in the unit's base, e.g. ms with a minutes axis). Default plain counts. */
  unit?: AxisUnit | undefined;
  /** The table's caption and the header of its first column. */
  tableCaption: string;
  rowHeader: string;
}

const WIDTH = 720;
const BAR_H = 14;
const ROW_GAP = 10;

/** The layout of a chart with `rows` rows of `seriesCount` bars. */
function box(rows: number, seriesCount: number): ChartBox & { rowH: number } {
  const rowH = seriesCount * BAR_H + ROW_GAP;
  const top = 8;
  const bottom = 28;
  return { width: WIDTH, height: top + Math.max(1, rows) * rowH + bottom, top, right: 130, bottom, left: 190, rowH };
}

/** The numbers of the chart as a table: a row per bar row, a column per series. */
function barTable(props: HorizontalBarChartProps): ChartTable {
  return {
    caption: props.tableCaption,
    columns: [props.rowHeader, ...props.series.map((s) => s.label)],
    rows: props.rows.map((r) => [r.label, ...props.series.map((_, i) => props.format(r.values[i] ?? 0))] as const),
  };
}

/**
 * A horizontal bar chart with one bar per series in each row (e.g. the median and the p90 time of each step): a
 * linear x axis with nice ticks (d3-scale), the rows on a band scale, every bar labelled with its value in text and
 * titled for hover, and the numbers in a table. Labels are control-stripped and capped; JSX escapes them.
 */
export function HorizontalBarChart(props: HorizontalBarChartProps) {
  const unit = props.unit ?? COUNT_UNIT;
  const b = box(props.rows.length, props.series.length);
  const max = Math.max(0, ...props.rows.flatMap((r) => r.values)) / unit.divisor;
  const x = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .nice()
    .range([b.left, b.width - b.right]);
  const y = scaleBand<number>()
    .domain(props.rows.map((_, i) => i))
    .range([b.top, b.height - b.bottom])
    .paddingInner(0.2);
  const inner = scaleBand<number>()
    .domain(props.series.map((_, i) => i))
    .range([0, y.bandwidth()]);
  const ticks = x.ticks(5);
  const axisY = b.height - b.bottom;
  return (
    <ChartFigure id={props.id} title={props.title} desc={props.desc} width={b.width} height={b.height} legend={props.series} table={barTable(props)}>
      <g class="grid axis" aria-hidden="true">
        {ticks.map((t) => (
          <g>
            <line x1={px(x(t))} x2={px(x(t))} y1={px(b.top)} y2={px(axisY)} stroke="#c9ced4" />
            <text x={px(x(t))} y={px(axisY + 16)} text-anchor="middle">
              {tickText(t, unit)}
            </text>
          </g>
        ))}
      </g>
      {props.rows.map((row, i) => {
        const top = y(i) ?? 0;
        return (
          <g class="chart-row">
            <text x={px(b.left - 8)} y={px(top + y.bandwidth() / 2)} text-anchor="end" dominant-baseline="middle">
              {chartLabel(row.label)}
            </text>
            {props.series.map((s, k) => {
              const value = row.values[k] ?? 0;
              const end = x(Math.max(0, value) / unit.divisor);
              const barY = top + (inner(k) ?? 0);
              const h = Math.max(1, inner.bandwidth() - 2);
              return (
                <g>
                  <rect x={px(b.left)} y={px(barY)} width={px(Math.max(0, end - b.left))} height={px(h)} {...seriesPaint(s.slot)}>
                    <title>{`${chartLabel(row.label)}, ${s.label}: ${props.format(value)}`}</title>
                  </rect>
                  <text x={px(end + 4)} y={px(barY + h / 2)} dominant-baseline="middle" font-size="11">
                    {`${s.label} ${props.format(value)}`}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
      <line class="axis" x1={px(b.left)} x2={px(b.left)} y1={px(b.top)} y2={px(axisY)} stroke="currentColor" />
    </ChartFigure>
  );
}
