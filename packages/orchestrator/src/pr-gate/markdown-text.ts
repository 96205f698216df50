/**
 * Small, pure Markdown helpers for the PR text: safe inline code, prose from untrusted text, and the parts of a
 * document a reader sees (no code, no comments). Nothing here parses Markdown fully; it knows fences, inline code
 * spans, HTML comments and ATX headings, which is what the PR text needs.
 */

/** A `{name}` placeholder not preceded by a backslash; the name is an identifier. */
export const PLACEHOLDER = /(?<!\\)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

// Every C0 control but tab and newline, DEL, C1 controls and the bidi overrides a reader cannot see.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without control characters (tab and newline kept), with `\r\n` as `\n`. */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/** One line of text: controls removed, whitespace runs (newlines included) as one space, trimmed. */
export function oneLine(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim();
}

/** `text` as a Markdown code span that shows it literally, whatever backticks it holds; newlines become spaces. */
export function codeSpan(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Escapes every `{name}` a reader would see as `\{name}` (Markdown shows `{name}`), so text that is not ours never
 * reads as an unfilled placeholder. Fenced blocks and inline code are left alone: a backslash would show there.
 */
export function escapePlaceholders(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (isFence(line)) fenced = !fenced;
      if (fenced || isFence(line)) return line;
      return line
        .split(/((`+)[\s\S]*?\2)/)
        .map((part, i) => (i % 3 === 0 ? part.replace(PLACEHOLDER, (match) => `\\${match}`) : i % 3 === 1 ? part : ''))
        .join('');
    })
    .join('\n');
}

/** Whether a line opens or closes a fenced code block (``` or ~~~, up to three spaces of indent). */
export function isFence(line: string): boolean {
  return /^ {0,3}(```|~~~)/.test(line);
}

/**
 * The prose of a Markdown document: what a reader sees as text, without fenced code blocks, inline code spans and
 * HTML comments, which may legitimately hold braces.
 */
export function proseOf(markdown: string): string {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.replace(/<!--[\s\S]*?(?:-->|$)/g, '').split('\n')) {
    if (isFence(line)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) lines.push(line);
  }
  return lines.join('\n').replace(/(`+)[\s\S]*?\1/g, '');
}

/** The distinct names of the `{placeholders}` a reader would see in `markdown` (not in code or comments), in order. */
export function unfilledPlaceholders(markdown: string): string[] {
  return [...new Set([...proseOf(markdown).matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** A heading line's level and text, or null when the line is not an ATX heading. */
export function headingOf(line: string): { level: number; title: string } | null {
  const match = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/.exec(line);
  return match ? { level: match[1]!.length, title: match[2]!.trim() } : null;
}

/** One part of a Markdown document: the text before the first heading (`heading` null) or a heading and its body. */
export interface MarkdownSection {
  /** The heading line as written, or null for the text before the first heading. */
  heading: string | null;
  /** The heading's text without the `#`s ('' for the preamble). */
  title: string;
  body: string;
}

/** Splits a document at its ATX headings outside fenced code; joining `heading + '\n' + body` gives it back. */
export function splitSections(markdown: string): MarkdownSection[] {
  const sections: MarkdownSection[] = [];
  let current: { heading: string | null; title: string; lines: string[] } = { heading: null, title: '', lines: [] };
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (isFence(line)) fenced = !fenced;
    const heading = fenced ? null : headingOf(line);
    if (heading) {
      sections.push({ heading: current.heading, title: current.title, body: current.lines.join('\n') });
      current = { heading: line, title: heading.title, lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  sections.push({ heading: current.heading, title: current.title, body: current.lines.join('\n') });
  return sections.filter((s, i) => i > 0 || s.body.trim() !== '' || s.heading !== null);
}

/** Joins sections back into a document, one blank line between them, ending in a newline. */
export function joinSections(sections: readonly MarkdownSection[]): string {
  const parts = sections.map((s) => (s.heading === null ? s.body.trim() : `${s.heading.trim()}\n\n${s.body.trim()}`.trim()));
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
