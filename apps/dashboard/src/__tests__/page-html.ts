// Readers of the pages' HTML for the HTTP tests of the bottlenecks, campaign, webhook and approvals pages and their
// charts (no DOM here; the browser tests use Chromium). They rely on the markup the charts write, which is regular.

/** Undoes the entities hono/jsx writes. */
export function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

const BLOCK_TAG = /<\/?(?:li|p|div|dt|dd|tr|td|th|h[1-6]|section|nav|ul|ol|dl|details|summary|caption|table|thead|tbody|main|figure|figcaption|br|svg|text|title|desc)\b[^>]*>/g;

/** The text of markup as a reader sees it: block tags become spaces, inline tags vanish, entities undone, spaces collapsed. */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

/** The content of `<main>`. */
export function mainOf(html: string): string {
  return /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
}

/** A chart as the tests read it. */
export interface ChartParts {
  /** The `<svg …>` start tag. */
  svgTag: string;
  svg: string;
  title: string;
  desc: string;
  /** The `<rect>` start tags drawn for data (inside the svg, legend swatches excluded). */
  rects: string[];
  /** Texts of the SVG's `<text>` elements. */
  texts: string[];
  legend: string[];
  caption: string;
  /** The table's header cells. */
  columns: string[];
  /** The table's rows: each row's cells' texts, the row header first. */
  rows: string[][];
}

/** A numeric attribute of a start tag. */
export function attr(tag: string, name: string): number {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? Number(m[1]) : Number.NaN;
}

/** The chart (`<figure id>`) with this id, split into its parts; throws when the page has none. */
export function chart(html: string, id: string): ChartParts {
  const start = html.indexOf(`<figure class="chart chart-figure" id="${id}">`);
  if (start < 0) throw new Error(`no chart ${id} in the page`);
  const figure = html.slice(start, html.indexOf('</figure>', start));
  const svg = /<svg xmlns[\s\S]*?<\/svg>/.exec(figure)![0];
  const table = /<table>[\s\S]*<\/table>/.exec(figure)?.[0] ?? '';
  const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[1]!));
  return {
    svgTag: /<svg[^>]*>/.exec(svg)![0],
    svg,
    title: textOf(/<title[^>]*>([\s\S]*?)<\/title>/.exec(svg)?.[1] ?? ''),
    desc: textOf(/<desc[^>]*>([\s\S]*?)<\/desc>/.exec(svg)?.[1] ?? ''),
    rects: [...svg.matchAll(/<rect[^>]*>/g)].map((m) => m[0]),
    texts: [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => textOf(m[1]!)),
    legend: [...(/<ul class="chart-legend">([\s\S]*?)<\/ul>/.exec(figure)?.[1] ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => textOf(m[1]!)),
    caption: textOf(/<caption>([\s\S]*?)<\/caption>/.exec(table)?.[1] ?? ''),
    columns: cells(/<thead>([\s\S]*?)<\/thead>/.exec(table)?.[1] ?? ''),
    rows: [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1]!)),
  };
}

/** The rows of the `<table>` whose caption is `caption` (cells' texts), or null when there is none. */
export function tableRows(html: string, caption: string): string[][] | null {
  for (const m of html.matchAll(/<table>([\s\S]*?)<\/table>/g)) {
    if (textOf(/<caption[^>]*>([\s\S]*?)<\/caption>/.exec(m[1]!)?.[1] ?? '') !== caption) continue;
    const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(m[1]!)?.[1] ?? '';
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[1]!)));
  }
  return null;
}

/**
 * What no page may contain, whatever the data: an inline style or event handler, a script other than the layout's
 * own `<script src>`, or a `javascript:` link.
 */
export function unsafeMarkup(html: string): string[] {
  const found: string[] = [];
  // Every `<` of the page starts a tag (text is escaped); attribute values are emptied before the names are read.
  const tags = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""'));
  if (tags.some((t) => /\sstyle=/i.test(t))) found.push('style attribute');
  if (tags.some((t) => /\son[a-z]+=/i.test(t))) found.push('event handler attribute');
  if (/<script(?![^>]*\ssrc="\/assets\/)/.test(html)) found.push('inline script');
  if (/href="\s*javascript:/i.test(html)) found.push('javascript: link');
  if (/<img/i.test(html)) found.push('img element');
  return found;
}
