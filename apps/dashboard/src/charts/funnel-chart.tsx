import { scaleLinear } from 'd3-scale';
import { ChartFigure, type ChartTable } from './chart-figure.js';
import { chartLabel, px, seriesPaint, type ChartBox, type SeriesSlot } from './chart-theme.js';

/** One funnel stage: its name and how many reached it. */
export interface FunnelStageValue {
  label: string;
  value: number;
}

/** Props of {@link FunnelChart}. */
export interface FunnelChartProps {
  id: string;
  title: string;
  desc: string;
  stages: readonly FunnelStageValue[];
  slot: SeriesSlot;
  tableCaption: string;
}

const ROW_H = 34;
const GAP = 8;

/** `n` as a share of `of`, whole percent; `-` when `of` is 0. */
export function percentOf(n: number, of: number): string {
  return of === 0 ? '-' : `${Math.round((100 * n) / of)}%`;
}

function funnelTable(props: FunnelChartProps): ChartTable {
  const first = props.stages[0]?.value ?? 0;
  return {
    caption: props.tableCaption,
    columns: ['Stage', 'Runs', 'Of the first stage', 'Of the stage before'],
    rows: props.stages.map((s, i) => [s.label, s.value, percentOf(s.value, first), i === 0 ? '-' : percentOf(s.value, props.stages[i - 1]!.value)] as const),
  };
}

/**
 * A funnel: one centred bar per stage, its width proportional to the runs that reached it (d3 `scaleLinear`), the
 * stage's name on the left and its count with the share of the first stage on the right, in text; the numbers with
 * the stage-to-stage conversion in a table.
 */
export function FunnelChart(props: FunnelChartProps) {
  const b: ChartBox = { width: 720, height: 8 + props.stages.length * (ROW_H + GAP), top: 4, right: 150, bottom: 4, left: 130 };
  const first = props.stages[0]?.value ?? 0;
  const max = Math.max(1, ...props.stages.map((s) => s.value));
  const span = b.width - b.left - b.right;
  const w = scaleLinear().domain([0, max]).range([0, span]);
  const mid = b.left + span / 2;
  return (
    <ChartFigure id={props.id} title={props.title} desc={props.desc} width={b.width} height={b.height} table={funnelTable(props)}>
      {props.stages.map((s, i) => {
        const top = b.top + i * (ROW_H + GAP);
        const width = Math.max(s.value > 0 ? 2 : 0, w(s.value));
        const label = chartLabel(s.label, 18);
        return (
          <g class="chart-row">
            <text x={px(b.left - 8)} y={px(top + ROW_H / 2)} text-anchor="end" dominant-baseline="middle">
              {label}
            </text>
            <rect x={px(mid - width / 2)} y={px(top)} width={px(width)} height={px(ROW_H)} rx="3" {...seriesPaint(props.slot)}>
              <title>{`${label}: ${s.value} (${percentOf(s.value, first)} of the first stage)`}</title>
            </rect>
            <text x={px(b.width - b.right + 8)} y={px(top + ROW_H / 2)} dominant-baseline="middle">
              {`${s.value} (${percentOf(s.value, first)})`}
            </text>
          </g>
        );
      })}
    </ChartFigure>
  );
}
