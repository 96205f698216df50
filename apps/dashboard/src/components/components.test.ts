import { jsx } from 'hono/jsx';
import { describe, expect, test } from 'vitest';
import { Layout } from '../pages/layout.js';
import {
  Card,
  DataTable,
  EmptyState,
  Facts,
  GitHubLink,
  Meter,
  Pager,
  queryHref,
  RunLink,
  safeText,
  Section,
  StateBadge,
  Time,
  Truncate,
  VerdictBadge,
} from './index.js';

// Components are called as hono/jsx elements; tests are .ts, so `jsx(Component, props)` stands for `<Component …/>`.
async function render(component: unknown, props: Record<string, unknown>): Promise<string> {
  const el = jsx(component as never, props as never);
  return String(await el.toString());
}

const HOSTILE = '<script>alert(1)</script>"\' javascript:alert(1) \u202Eevil\u0007';

describe('components', () => {
  test('Truncate escapes, replaces bidi and control characters, cuts long text and keeps short full text in the title', async () => {
    const out = await render(Truncate, { text: HOSTILE, max: 20 });
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('\u202E');
    expect(out).not.toContain('\u0007');
    expect(out).toContain('&lt;script&gt;');
    expect(out).toMatch(/^<bdi title="[^"]*">[^<]*…<\/bdi>$/);
    const huge = await render(Truncate, { text: 'x'.repeat(5_000_000), max: 50 });
    expect(huge.length).toBeLessThan(200);
    expect(huge).not.toContain('title=');
    expect(await render(Truncate, { text: null, max: 5 })).toBe('<span class="muted">—</span>');
  });

  test('safeText counts code points and never splits a surrogate pair', () => {
    expect(safeText('😀😀😀', 2)).toBe('😀…');
    expect(safeText('abc', 3)).toBe('abc');
  });

  test('StateBadge and VerdictBadge always carry their text', async () => {
    expect(await render(StateBadge, { state: 'NEEDS_HUMAN_REVIEW' })).toBe('<span class="badge tone-human">NEEDS_HUMAN_REVIEW</span>');
    expect(await render(StateBadge, { state: '<b>' })).toBe('<span class="badge tone-idle">&lt;b&gt;</span>');
    expect(await render(VerdictBadge, { verdict: 'PASS' })).toBe('<span class="badge tone-ok">PASS</span>');
    expect(await render(VerdictBadge, { verdict: null })).toContain('no verdict');
  });

  test('Time shows a relative text with the exact time in datetime and title', async () => {
    const now = new Date('2026-01-05T12:00:00Z');
    expect(await render(Time, { iso: '2026-01-05T11:57:00Z', now })).toBe(
      '<time datetime="2026-01-05T11:57:00.000Z" title="2026-01-05 11:57:00 UTC">3 min ago</time>',
    );
    expect(await render(Time, { iso: '2026-01-05T07:00:00Z', now })).toContain('5 h ago');
    expect(await render(Time, { iso: '2026-01-05T12:10:00Z', now })).toContain('in 10 min');
    expect(await render(Time, { iso: 'garbage', now })).toContain('—');
  });

  test('RunLink encodes the run id as one path segment; GitHubLink links only validated names', async () => {
    expect(await render(RunLink, { runId: '../x?y#"<' })).toContain('href="/runs/..%2Fx%3Fy%23%22%3C"');
    expect(await render(GitHubLink, { owner: 'octo', repo: 'hello.js', number: 7 })).toContain('href="https://github.com/octo/hello.js/pull/7"');
    const bad = await render(GitHubLink, { owner: 'javascript:alert(1)//', repo: 'x' });
    expect(bad).not.toContain('href');
    expect(await render(GitHubLink, { owner: 'octo', repo: '..' })).not.toContain('href');
  });

  test('DataTable has a caption, column headers with scope and a labelled focusable scroll region; empty rows show the empty state', async () => {
    const out = await render(DataTable, {
      caption: 'Runs',
      columns: [{ label: 'Run' }, { label: 'Cost', numeric: true, sort: 'descending', href: '/?sort=cost' }],
      rows: [1, 2],
      row: (n: number) => jsx('tr', {}, jsx('td', {}, String(n)), jsx('td', { class: 'num' }, String(n * 2))),
    });
    expect(out).toContain('<div class="table-scroll" role="region" aria-label="Runs" tabindex="0"><table><caption>Runs</caption>');
    expect(out).toContain('<th scope="col" class="num" aria-sort="descending"><a href="/?sort=cost">Cost</a></th>');
    expect(out).toContain('<td class="num">4</td>');
    const empty = await render(DataTable, { caption: 'Runs', columns: [], rows: [], row: () => null, empty: jsx(EmptyState, { title: 'No runs.' }) });
    expect(empty).toBe('<div class="empty-state"><p>No runs.</p></div>');
  });

  test('Pager, Section, Card, Facts and Meter render semantic markup without inline styles', async () => {
    expect(await render(Pager, { next: '/?cursor=abc', prevHref: '/' })).toBe(
      '<nav class="pager" aria-label="Pages"><a href="/" rel="prev">← First page</a><a href="/?cursor=abc" rel="next">Next page →</a></nav>',
    );
    expect(await render(Pager, { next: null })).toBe('');
    expect(await render(Section, { title: 'Attempts & verdicts', children: 'x' })).toBe(
      '<section aria-labelledby="attempts-verdicts"><h2 id="attempts-verdicts">Attempts &amp; verdicts</h2>x</section>',
    );
    expect(await render(Card, { title: 'Lease', children: 'y' })).toContain('<section class="card" aria-labelledby="card-lease"><h3 id="card-lease">Lease</h3>');
    expect(await render(Facts, { items: [['State', 'DONE'], ['PR', null]] })).toBe(
      '<dl class="facts"><dt>State</dt><dd>DONE</dd><dt>PR</dt><dd><span class="muted">—</span></dd></dl>',
    );
    const meter = await render(Meter, { value: 3, max: 4, label: '3 of 4' });
    expect(meter).toContain('width="75.00"');
    expect(meter).not.toContain('style');
  });

  test('queryHref keeps the path, changes parameters, drops fragment and never yields a protocol-relative link', () => {
    expect(queryHref(new URL('http://h/?state=DONE&fragment=main&cursor=x'), { cursor: 'y', sort: 'repo' })).toBe('/?state=DONE&cursor=y&sort=repo');
    expect(queryHref(new URL('http://h/runs/a?cursor=1'), { cursor: undefined })).toBe('/runs/a');
    expect(queryHref(new URL('http://h//evil.com/x'), {})).toBe('/evil.com/x');
  });

  test('Layout: stylesheet and deferred script from /assets, skip link, current nav, focusable live main, status region, noscript refresh', async () => {
    const out = await render(Layout, { title: HOSTILE, nav: 'bottlenecks', path: '/bottlenecks?x=1', children: 'body' });
    expect(out).toMatch(/<link rel="stylesheet" href="\/assets\/dashboard\.[0-9a-f]{16}\.css"\/?>/);
    expect(out).toMatch(/<script src="\/assets\/live\.[0-9a-f]{16}\.js" defer=""><\/script>/);
    expect(out).toContain('<a class="skip-link" href="#main">');
    expect(out).toContain('<a href="/bottlenecks" aria-current="page">Bottlenecks</a>');
    expect(out).toContain('<main id="main" tabindex="-1" data-live="true">body</main>');
    expect(out).toContain('role="status" aria-live="polite"');
    expect(out).toContain('<noscript><meta http-equiv="refresh" content="30"/></noscript>');
    expect(out).toContain('<a href="/bottlenecks?x=1">Refresh now</a>');
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('style=');
    const still = await render(Layout, { title: 'Login', nav: undefined, live: false, children: 'x' });
    expect(still).not.toContain('data-live');
    expect(still).not.toContain('http-equiv');
  });
});
