// Sentences of a Markdown, reStructuredText or plain-text document, each with the headings it sits under and the
// sentence that leads into its list, so a rule can read "Pull requests must link to an issue" under "## AI policy" as
// a rule about AI contributions. Every sentence keeps its exact place in the document: a quote is always a substring
// of what was read. Nothing here parses Markdown fully; it knows headings (ATX, setext, reStructuredText underlines),
// list items, blank lines and fenced code blocks, which is what sentence splitting needs.

/** One sentence of a document. */
export interface DocumentSentence {
  /** The sentence exactly as written (markup and line breaks included): `document.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  /** The headings above it, outermost first, markup removed. */
  headings: string[];
  /** The last sentence of the paragraph a list item belongs to (`The following rules apply:`), else null. */
  leadIn: string | null;
  /** True when the sentence is (in) a list item. */
  listItem: boolean;
  /** True when the sentence is a heading itself. */
  heading: boolean;
}

const ATX = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const UNDERLINE = /^ {0,3}([=\-~^"'`*+#:.])\1{2,}\s*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const LIST_ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)]|#\.)\s+(?:\[[ xX]\]\s+)?/;
const QUOTE_PREFIX = /^\s*(?:>\s?)+/;
const ABBREVIATIONS = /\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|resp|no|nr|mr|mrs|ms|dr|st)\.$/i;

interface Line {
  text: string;
  start: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const line of text.split('\n')) {
    lines.push({ text: line, start });
    start += line.length + 1;
  }
  return lines;
}

/** Heading text without markup: `## **AI** policy` → `AI policy`. */
export function plainHeading(text: string): string {
  return text.replace(/[*_`]+/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\s+/g, ' ').trim();
}

/** Splits one block (a paragraph or a list item, by offsets into `text`) into sentences at `.`, `!` or `?`. */
function splitBlock(text: string, start: number, end: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  const block = text.slice(start, end);
  const boundary = /[.!?]["')\]*_`]*\s+(?=["'([*_`]*[A-Z0-9])/g;
  let from = 0;
  for (const match of block.matchAll(boundary)) {
    const stop = match.index + match[0].trimEnd().length;
    if (ABBREVIATIONS.test(block.slice(Math.max(from, stop - 8), stop).replace(/["')\]*_`]+$/, ''))) continue;
    out.push({ start: start + from, end: start + stop });
    from = match.index + match[0].length;
  }
  out.push({ start: start + from, end });
  return out;
}

/** Trims whitespace, list markers and quote markers off a sentence's start and whitespace off its end. */
function trimmed(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  for (;;) {
    const rest = text.slice(s, e);
    const lead = /^\s+/.exec(rest)?.[0].length ?? 0;
    const marker = (LIST_ITEM.exec(rest.slice(lead))?.[0].length ?? 0) || (QUOTE_PREFIX.exec(rest.slice(lead))?.[0].length ?? 0);
    if (lead + marker === 0) break;
    s += lead + marker;
  }
  while (e > s && /\s/.test(text[e - 1]!)) e -= 1;
  return { start: s, end: e };
}

/**
 * The sentences of a document in order, with their headings and list lead-ins. Fenced code blocks are skipped
 * (examples, not rules); headings are sentences of their own (marked `heading`).
 *
 * @example
 * documentSentences('# AI policy\n\nWe welcome AI. Disclose it.')
 * // → [{ text: '# AI policy', heading: true, … }, { text: 'We welcome AI.', headings: ['AI policy'], … }, { text: 'Disclose it.', … }]
 */
export function documentSentences(text: string): DocumentSentence[] {
  const lines = linesOf(text);
  const out: DocumentSentence[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  const underlineLevels: string[] = [];
  let fenced = false;
  let block: { start: number; end: number; list: boolean } | null = null;
  let leadIn: string | null = null;
  let lastParagraphSentence: string | null = null;

  const pushHeading = (level: number, title: string, start: number, end: number) => {
    while (stack.length > 0 && stack.at(-1)!.level >= level) stack.pop();
    const range = trimmed(text, start, end);
    out.push({ text: text.slice(range.start, range.end), ...range, headings: stack.map((h) => h.text), leadIn: null, listItem: false, heading: true });
    stack.push({ level, text: plainHeading(title) });
    leadIn = null;
    lastParagraphSentence = null;
  };
  const flush = () => {
    if (!block) return;
    const { start, end, list } = block;
    block = null;
    if (list && lastParagraphSentence !== null && leadIn === null) leadIn = lastParagraphSentence;
    if (!list) leadIn = null;
    for (const piece of splitBlock(text, start, end)) {
      const range = trimmed(text, piece.start, piece.end);
      if (range.end <= range.start) continue;
      const sentence = text.slice(range.start, range.end);
      out.push({ text: sentence, ...range, headings: stack.map((h) => h.text), leadIn: list ? leadIn : null, listItem: list, heading: false });
      if (!list) lastParagraphSentence = sentence;
    }
  };

  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (FENCE.test(line.text)) {
      flush();
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const atx = ATX.exec(line.text);
    const next = lines[i + 1]?.text ?? '';
    const underline = UNDERLINE.exec(next);
    if (atx) {
      flush();
      pushHeading(atx[1]!.length, atx[2]!, line.start, line.start + line.text.length);
      continue;
    }
    if (underline && line.text.trim() !== '' && !LIST_ITEM.test(line.text) && block === null) {
      let level = underlineLevels.indexOf(underline[1]!);
      if (level < 0) level = underlineLevels.push(underline[1]!) - 1;
      pushHeading(level + 1, line.text, line.start, line.start + line.text.length);
      i += 1;
      continue;
    }
    if (UNDERLINE.test(line.text) || line.text.trim() === '' || /^\s*\|/.test(line.text)) {
      flush();
      if (line.text.trim() === '' && !(lines[i + 1] && LIST_ITEM.test(lines[i + 1]!.text))) leadIn = null;
      if (/^\s*\|/.test(line.text) && line.text.replace(/[\s|:-]/g, '') !== '') {
        block = { start: line.start, end: line.start + line.text.length, list: false };
        flush();
      }
      continue;
    }
    const item = LIST_ITEM.test(line.text);
    if (item) flush();
    if (block) block.end = line.start + line.text.length;
    else block = { start: line.start, end: line.start + line.text.length, list: item };
  }
  flush();
  return out;
}
