/**
 * The dashboard's one stylesheet, served at a content-hashed URL under `/assets/` (see `assets/index.ts`).
 *
 * Colours meet WCAG AA (4.5:1 for text) in both schemes; every badge carries its state as text, so colour is never
 * the only signal. Layout works down to 360 px wide (tables scroll inside a labelled region), prints without the
 * navigation, and honours `prefers-reduced-motion`. The CSP forbids inline styles: pages style through these classes
 * and give chart sizes as SVG attributes.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1a1c1e; --muted: #4a5058; --surface: #f3f5f7; --border: #c9ced4;
  --link: #0b57d0; --focus: #0b57d0; --header-bg: #1f2937; --header-fg: #ffffff;
  --ok-bg: #e3f4e8; --ok-fg: #0b5226; --warn-bg: #fdf1d6; --warn-fg: #6b4300;
  --bad-bg: #fde4e2; --bad-fg: #8c1d18; --info-bg: #e2ecfb; --info-fg: #0a3f8f;
  --human-bg: #efe4fb; --human-fg: #5a1f8f; --idle-bg: #eceff1; --idle-fg: #3a4046;
  --chart-1: #0b57d0; --chart-2: #b3261e; --chart-3: #146c2e; --chart-4: #8a5a00; --chart-5: #6f2da8; --chart-6: #4a5058;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121417; --fg: #e8eaed; --muted: #b0b6bd; --surface: #1d2126; --border: #3d444c;
    --link: #8ab4f8; --focus: #8ab4f8; --header-bg: #0b0d10; --header-fg: #e8eaed;
    --ok-bg: #0f3d1f; --ok-fg: #b7f0c6; --warn-bg: #4a3200; --warn-fg: #ffe08a;
    --bad-bg: #5c1612; --bad-fg: #ffd0cc; --info-bg: #0d2f63; --info-fg: #c6dafc;
    --human-bg: #3d1766; --human-fg: #e6d0ff; --idle-bg: #2b3036; --idle-fg: #d5d9de;
    --chart-1: #8ab4f8; --chart-2: #f28b82; --chart-3: #81c995; --chart-4: #fdd663; --chart-5: #d7aefb; --chart-6: #b0b6bd;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  overflow-wrap: break-word;
}
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
main:focus { outline: none; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--surface); border: 1px solid var(--border); padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.5rem; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; z-index: 10; padding: 0.5rem 0.75rem;
  background: var(--bg); color: var(--link); border: 2px solid var(--focus); }
.skip-link:focus { top: 0.5rem; }
.site-header { background: var(--header-bg); color: var(--header-fg); padding: 0.5rem 1rem;
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; }
.site-header a { color: var(--header-fg); }
.site-header .brand { font-weight: 700; text-decoration: none; }
.site-header nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.site-header nav a { display: inline-block; padding: 0.25rem 0; text-decoration: none; border-bottom: 2px solid transparent; }
.site-header nav a[aria-current="page"] { border-bottom-color: var(--header-fg); font-weight: 600; }
.site-header :focus-visible { outline-color: var(--header-fg); }
.site-header form { margin: 0 0 0 auto; }
.site-header button { background: transparent; color: var(--header-fg); border: 1px solid var(--header-fg); }
main { display: block; max-width: 80rem; margin: 0 auto; padding: 1rem; }
.site-footer { max-width: 80rem; margin: 0 auto; padding: 0.5rem 1rem 2rem; color: var(--muted); font-size: 0.875rem; }
.live-status:empty { display: none; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.table-scroll { overflow-x: auto; max-width: 100%; border: 1px solid var(--border); margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9375rem; }
caption { text-align: left; font-weight: 600; padding: 0.5rem 0.75rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.75rem; border-top: 1px solid var(--border); }
thead th { background: var(--surface); border-top: 0; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: var(--surface); }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.75rem; border: 1px solid currentColor;
  font-size: 0.8125rem; font-weight: 600; line-height: 1.5; white-space: nowrap; }
.tone-ok { background: var(--ok-bg); color: var(--ok-fg); }
.tone-warn { background: var(--warn-bg); color: var(--warn-fg); }
.tone-bad { background: var(--bad-bg); color: var(--bad-fg); }
.tone-info { background: var(--info-bg); color: var(--info-fg); }
.tone-human { background: var(--human-bg); color: var(--human-fg); }
.tone-idle { background: var(--idle-bg); color: var(--idle-fg); }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.card > :first-child { margin-top: 0; }
.card > :last-child { margin-bottom: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; }
.empty-state { border: 1px dashed var(--border); border-radius: 0.5rem; padding: 1.5rem 1rem; text-align: center; color: var(--muted); }
.pager { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin: 0.5rem 0 1.5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 1rem; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin: 0 0 1rem; }
form.filters label, form.stack label { display: flex; flex-direction: column; font-size: 0.875rem; font-weight: 600; gap: 0.25rem; }
form.stack { display: flex; flex-direction: column; gap: 1rem; max-width: 24rem; }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--muted);
  border-radius: 0.25rem; padding: 0.35rem 0.5rem; min-height: 2.25rem; max-width: 100%; }
button { cursor: pointer; background: var(--link); color: var(--bg); border-color: var(--link); font-weight: 600; }
.error-text, [role="alert"] { color: var(--bad-fg); background: var(--bad-bg); padding: 0.5rem 0.75rem; border-radius: 0.25rem; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 2px solid var(--border); }
ol.timeline > li { margin: 0 0 0.75rem; padding-left: 0.5rem; }
.chart { display: block; max-width: 100%; height: auto; color: var(--fg); }
.chart text { fill: currentColor; font-size: 12px; }
.chart .axis line, .chart .axis path, .chart .grid line { stroke: var(--border); }
.chart .series-1 { fill: var(--chart-1); stroke: var(--chart-1); }
.chart .series-2 { fill: var(--chart-2); stroke: var(--chart-2); }
.chart .series-3 { fill: var(--chart-3); stroke: var(--chart-3); }
.chart .series-4 { fill: var(--chart-4); stroke: var(--chart-4); }
.chart .series-5 { fill: var(--chart-5); stroke: var(--chart-5); }
.chart .series-6 { fill: var(--chart-6); stroke: var(--chart-6); }
.chart .line { fill: none; stroke-width: 2; }
.meter { display: inline-block; vertical-align: middle; width: 8rem; max-width: 40vw; height: 0.75rem; }
.meter .track { fill: var(--surface); stroke: var(--border); }
.meter .fill { fill: var(--chart-1); }
figure { margin: 0 0 1rem; }
select, input { max-width: 100%; }
form.filters > *, form.filters label { min-width: 0; max-width: 100%; }
ul.state-counts { list-style: none; padding: 0; margin: 0.5rem 0 1rem; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
nav.back { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin-bottom: 0.5rem; }
.window-links ul, .chart-legend { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.35rem 1rem; }
.window-links a[aria-current] { font-weight: 700; }
.chart-swatch { display: inline-block; vertical-align: middle; width: 0.8rem; height: 0.8rem; margin-right: 0.35rem; }
.chart-data summary { cursor: pointer; }
.warnings ul { margin: 0.25rem 0 0.75rem; padding-left: 1.25rem; }
dl.how-to dd { margin: 0 0 0.5rem 1rem; }
figcaption { color: var(--muted); font-size: 0.875rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  main { padding: 0.75rem; }
  h1 { font-size: 1.35rem; }
  th, td { padding: 0.35rem 0.5rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.5rem; }
  .site-header form { margin-left: 0; }
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #333333; --surface: #ffffff; --border: #999999; --link: #000000; }
  .site-header, .skip-link, .site-footer, .pager, form.filters, noscript { display: none !important; }
  main { max-width: none; padding: 0; }
  .table-scroll { overflow: visible; border: 0; }
  a { text-decoration: underline; }
  tr, .card, figure { break-inside: avoid; }
  .badge { border-color: #000000; background: #ffffff !important; color: #000000 !important; }
}
`;
