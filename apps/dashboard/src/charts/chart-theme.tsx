import { safeText } from '../components/safe-text.js';

// Colours and text rules shared by the charts. A series is drawn with the stylesheet's class `series-N` (N = 1..6),
// whose colours follow the light and dark schemes; the same colours in the light scheme are also given as SVG `fill`
// attributes, so a chart is readable where the stylesheet is not loaded. Text is drawn in `currentColor`. Colour never
// carries meaning alone: every series is named in a legend and every number is in the table next to the chart.

/** The series colours of the light scheme (the stylesheet's `--chart-1` … `--chart-6`). */
export const SERIES_FALLBACK: readonly string[] = ['#0b57d0', '#b3261e', '#146c2e', '#8a5a00', '#6f2da8', '#4a5058'];

/** How many series colours there are; a chart with more series groups the rest. */
export const SERIES_COUNT = SERIES_FALLBACK.length;

/** A series' colour slot, 1 … {@link SERIES_COUNT}. */
export type SeriesSlot = 1 | 2 | 3 | 4 | 5 | 6;

/** The slot of the `index`-th series (0-based), cycling. */
export function slotOf(index: number): SeriesSlot {
  return ((((index % SERIES_COUNT) + SERIES_COUNT) % SERIES_COUNT) + 1) as SeriesSlot;
}

/** The attributes that colour a shape as series `slot`: the stylesheet class and the light-scheme fallback fill. */
export function seriesPaint(slot: SeriesSlot): { class: string; fill: string } {
  return { class: `series-${slot}`, fill: SERIES_FALLBACK[slot - 1]! };
}

/** The longest label a chart draws; longer ones are cut with an ellipsis (the table next to the chart has them too). */
export const LABEL_MAX = 28;

/**
 * A label safe to draw: control and bidi-control characters replaced, whitespace collapsed, at most `max`
 * characters (cut with `…`). JSX still escapes it; this keeps hostile names from spoofing or overflowing the chart.
 *
 * @example
 * chartLabel('a\u202eb<script>', 6) // → 'a\ufffdb<s…'
 */
export function chartLabel(text: string, max = LABEL_MAX): string {
  return safeText(text.replace(/[\t\n\r]+/g, ' ').trim(), max);
}

/** A chart's outer box and the space kept for the axes and labels, in SVG user units. */
export interface ChartBox {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** A coordinate rounded to a tenth of a unit: enough for a crisp picture, and a tenth of the bytes of full floats. */
export function px(n: number): number {
  return Math.round(n * 10) / 10;
}
