import type { Child } from 'hono/jsx';
import { safeText } from '../components/safe-text.js';
import { chartLabel, seriesPaint, type SeriesSlot } from './chart-theme.js';

/** A legend entry: the series' name and its colour slot. */
export interface LegendEntry {
  label: string;
  slot: SeriesSlot;
}

/** The numbers behind a chart, as a table: a caption, column headers, and rows whose first cell heads the row. */
export interface ChartTable {
  caption: string;
  columns: readonly string[];
  rows: ReadonlyArray<readonly [string, ...Array<string | number>]>;
}

/** Props of {@link ChartFigure}. */
export interface ChartFigureProps {
  /** A fixed id from the page (never data): the SVG's title and description ids derive from it. */
  id: string;
  /** The accessible name, also shown as the figure's caption. */
  title: string;
  /** The chart in words (the totals a screen reader announces). */
  desc: string;
  width: number;
  height: number;
  legend?: readonly LegendEntry[] | undefined;
  table: ChartTable;
  /** The SVG content (already laid out in `width` × `height` user units). */
  children: Child;
}

/** The longest text a table cell shows (labels can be hostile names); the chart's own labels are shorter still. */
const CELL_MAX = 120;

/** A small coloured square for a legend entry (an SVG, since the CSP forbids `style=` attributes). */
function Swatch({ slot }: { slot: SeriesSlot }) {
  return (
    <svg class="chart-swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
      <rect width="12" height="12" rx="2" {...seriesPaint(slot)} />
    </svg>
  );
}

/** The table of numbers next to a chart, inside a `<details>` so it is one click away for everyone. */
export function ChartDataTable({ table }: { table: ChartTable }) {
  return (
    <details class="chart-data">
      <summary>{`Show the numbers: ${table.caption}`}</summary>
      <div class="table-scroll" role="region" aria-label={table.caption} tabindex={0}>
        <table>
          <caption>{table.caption}</caption>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th scope="col">{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map(([head, ...cells]) => (
              <tr>
                <th scope="row">
                  <bdi>{safeText(head, CELL_MAX)}</bdi>
                </th>
                {cells.map((cell) => (
                  <td class={typeof cell === 'number' ? 'num' : undefined}>{typeof cell === 'number' ? String(cell) : safeText(cell, CELL_MAX)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * A chart as a `<figure>`: a caption, the server-rendered SVG (`role="img"`, named by its `<title>`, described by its
 * `<desc>`), a legend in text, and the same numbers in a table. No script and no `style=` attribute (CSP-safe): sizes
 * and colours are SVG presentation attributes, text is drawn in `currentColor`.
 */
export function ChartFigure(props: ChartFigureProps) {
  const titleId = `${props.id}-title`;
  const descId = `${props.id}-desc`;
  return (
    <figure class="chart chart-figure" id={props.id}>
      <figcaption>{props.title}</figcaption>
      <svg
        xmlns="http://www.w3.org/2000/svg"
        class="chart"
        viewBox={`0 0 ${props.width} ${props.height}`}
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        font-family="system-ui, sans-serif"
        font-size="12"
        fill="currentColor"
      >
        <title id={titleId}>{props.title}</title>
        <desc id={descId}>{props.desc}</desc>
        {props.children}
      </svg>
      {props.legend && props.legend.length > 0 ? (
        <ul class="chart-legend">
          {props.legend.map((entry) => (
            <li>
              <Swatch slot={entry.slot} />
              <bdi>{` ${chartLabel(entry.label)}`}</bdi>
            </li>
          ))}
        </ul>
      ) : null}
      <ChartDataTable table={props.table} />
    </figure>
  );
}
