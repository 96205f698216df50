// Small readers of the runs and run pages' HTML for the HTTP tests (no DOM here: the browser tests use Chromium).

/** Undoes the five entities hono/jsx writes. */
export function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

const BLOCK_TAG = /<\/?(?:li|p|div|dt|dd|tr|td|th|h[1-6]|section|header|nav|ul|ol|dl|details|summary|pre|caption|table|thead|tbody|main)\b[^>]*>/g;

/** The text of markup as a reader sees it: block tags become spaces, inline tags vanish, entities undone, spaces collapsed. */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(BLOCK_TAG, ' ').replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

/** The runs table's rows, in order: each row's run id (from its link) and its text. */
export function runRows(html: string): Array<{ runId: string; text: string; html: string }> {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].flatMap((m) => {
    const link = /href="\/runs\/([^"]+)"/.exec(m[1]!);
    return link ? [{ runId: decodeURIComponent(unescapeHtml(link[1]!)), text: textOf(m[1]!), html: m[1]! }] : [];
  });
}

/** The runs table's caption text. */
export function captionOf(html: string): string {
  return textOf(/<caption>([\s\S]*?)<\/caption>/.exec(html)?.[1] ?? '');
}

/** The "Next page" link's href (unescaped), or null. */
export function nextHref(html: string): string | null {
  const m = /<a href="([^"]+)" rel="next">/.exec(html);
  return m ? unescapeHtml(m[1]!) : null;
}

/** The content of `<main>` (the page without the layout). */
export function mainOf(html: string): string {
  return /<main[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
}

/** The element with `id` and what it holds, up to its closing tag (same tag name, not nested). */
export function elementById(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>`).exec(html);
  if (!m) return null;
  const end = html.indexOf(`</${m[1]}>`, m.index);
  return end < 0 ? null : html.slice(m.index, end + m[1]!.length + 3);
}

/** A start tag: its name and attributes (values unescaped). */
export interface StartTag {
  name: string;
  attributes: Array<{ name: string; value: string }>;
}

/**
 * The start tags of a document, as a browser tokenises hono/jsx output: every attribute value is double-quoted with
 * `"` escaped, so an attribute value cannot end early and text between tags holds no `<`.
 */
export function startTags(html: string): StartTag[] {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=/>]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attributes: [...m[2]!.matchAll(/\s+([^\s=/>]+)(?:="([^"]*)")?/g)].map((a) => ({ name: a[1]!.toLowerCase(), value: unescapeHtml(a[2] ?? '') })),
  }));
}
