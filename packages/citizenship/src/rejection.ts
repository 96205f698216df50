import { isMaintainer } from './maintainers.js';

// Why maintainers closed a PR without merging it, grouped for the campaign funnel. Deterministic: documented
// patterns over what maintainers wrote (conversation comments, review comments, review summaries), the CI roll-up
// and whether agentpr closed the PR itself. Everything read is hostile text: bodies are capped before matching, and
// the evidence quoted back is stripped of control characters and capped.

/** The groups of the funnel's "rejection reasons". */
export const REJECTION_CATEGORIES = ['duplicate', 'unwanted_change', 'ai_policy', 'ci_failing', 'no_response', 'other'] as const;
export type RejectionCategory = (typeof REJECTION_CATEGORIES)[number];

/** A comment on the PR (conversation or inline), as GitHub reports it. */
export interface RejectionComment {
  body: string | null;
  author: string | null;
  /** GitHub's author association; OWNER, MEMBER and COLLABORATOR are maintainers. Unknown (inline comments): any author but the PR's. */
  authorAssociation?: string | null | undefined;
}

/** A submitted review; any review not by the PR's author counts as a maintainer's. */
export interface RejectionReview {
  body?: string | null | undefined;
  author?: string | null | undefined;
  state?: string | undefined;
}

/** What {@link classifyRejection} reads. */
export interface RejectionInput {
  /** agentpr closed the PR itself (the stale follow-up's close). */
  closedByUs: boolean;
  comments: readonly RejectionComment[];
  reviews: readonly RejectionReview[];
  /** The conclusion of the latest CI roll-up of the PR head: `failure`, `success`, or null (pending or none). */
  lastCheckRollup: 'success' | 'failure' | null;
  /** The PR's author (agentpr's account): its own comments are never a maintainer's. */
  prAuthor?: string | null | undefined;
  /** Text agentpr puts in its own comments (the follow-up marker): comments carrying it are skipped. */
  ownMarkers?: readonly string[] | undefined;
}

/** The category and the evidence it rests on (one line, at most {@link REJECTION_QUOTE_MAX} characters). */
export interface Rejection {
  category: RejectionCategory;
  evidence: string;
}

/** The longest evidence line. */
export const REJECTION_QUOTE_MAX = 300;
/** Characters of one body that are matched (the rest is ignored). */
const BODY_MAX = 20_000;
/** Comments and reviews read, newest first. */
const TEXTS_MAX = 300;

/**
 * The documented patterns, in the order categories win when a text matches several (a duplicate is the most
 * specific reason, then an AI policy, then a change the project does not want). Case-insensitive.
 */
export const REJECTION_PATTERNS: ReadonlyArray<{ category: 'duplicate' | 'ai_policy' | 'unwanted_change'; patterns: readonly RegExp[] }> = [
  {
    category: 'duplicate',
    patterns: [
      /\bduplicates?\s+(?:of\s+)?(?:#|https?:\/\/\S+\/(?:pull|issues)\/)\d+/i,
      /\b(?:closing|closed)\s+as\s+(?:a\s+)?dup(?:e|licate)\b/i,
      /\b(?:this\s+is|is)\s+a\s+dup(?:e|licate)\b/i,
      /\balready\s+(?:been\s+)?(?:fixed|implemented|addressed|done|merged|resolved|added|handled)\s+(?:in|by|via|with)\b/i,
      /\bsuperseded\s+by\b/i,
      /\bin\s+favou?r\s+of\s+#\d+/i,
    ],
  },
  {
    category: 'ai_policy',
    patterns: [
      /\bAI[-\s](?:generated|written|assisted|authored)\b/i,
      /\b(?:generated|written)\s+(?:by|with)\s+(?:an?\s+)?(?:AI|LLMs?|bots?|ChatGPT|Copilot)\b/i,
      /\bLLMs?\b/i,
      /\b(?:a|by|from|this|these|no|your|via)\s+bots?\b/i,
      /\bbot[-\s](?:generated|written|PRs?|pull\s+requests?|contributions?|accounts?)\b/i,
      /\b(?:ChatGPT|Copilot|GPT-?\d)\b/i,
      /\bAI\s+(?:contribution\s+)?polic(?:y|ies)\b/i,
      /\bAI\s+(?:slop|agents?|tools?|contributions?|PRs?|pull\s+requests?)\b/i,
      /\bmachine[-\s]generated\b/i,
    ],
  },
  {
    category: 'unwanted_change',
    patterns: [
      /\bnot\s+interested\b/i,
      /\b(?:won'?t|will\s+not|can'?t|cannot|do\s+not|don'?t)\s+(?:be\s+)?accept(?:ing)?\b/i,
      /\bout\s+of\s+(?:the\s+)?scope\b/i,
      /\bnot\s+(?:a|the)\s+direction\b/i,
      /\bwe\s+(?:don'?t|do\s+not)\s+want\b/i,
      /\bnot\s+something\s+we\s+(?:want|need|plan)\b/i,
      /\bwon'?t\s*fix\b/i,
      /\bnot\s+(?:planned|needed|necessary|going\s+to\s+(?:merge|accept|take))\b/i,
      /\bdeclin(?:e|ed|ing)\b/i,
    ],
  },
];

/** One line of hostile text, safe to store and print: control characters out, whitespace collapsed, capped. */
export function quoteLine(text: string, max = REJECTION_QUOTE_MAX): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The sentence of `body` around a match, as one quoted line. */
function sentenceAround(body: string, index: number, length: number): string {
  const before = body.slice(0, index);
  const start = Math.max(before.search(/[^.!?\n]*$/), index - 200, 0);
  const rest = body.slice(index + length);
  const stop = rest.search(/[.!?\n]/);
  const end = index + length + (stop < 0 ? Math.min(rest.length, 200) : Math.min(stop + 1, 200));
  return quoteLine(body.slice(start, end));
}

interface MaintainerText {
  who: string;
  body: string;
}

/** What maintainers wrote, newest first: maintainer comments and reviews not by the PR's author, not agentpr's own. */
function maintainerTexts(input: RejectionInput): MaintainerText[] {
  const author = input.prAuthor?.toLowerCase() ?? null;
  const ours = (body: string) => (input.ownMarkers ?? []).some((m) => m !== '' && body.includes(m));
  const notAuthor = (who: string | null | undefined) => author === null || (who ?? '').toLowerCase() !== author;
  const texts: MaintainerText[] = [];
  for (const c of input.comments) {
    const maintainer = c.authorAssociation === undefined || c.authorAssociation === null ? true : isMaintainer(c.authorAssociation);
    if (maintainer && notAuthor(c.author) && c.body && !ours(c.body)) texts.push({ who: c.author ?? 'a maintainer', body: c.body.slice(0, BODY_MAX) });
  }
  for (const r of input.reviews) {
    if (notAuthor(r.author) && r.body && !ours(r.body)) texts.push({ who: r.author ?? 'a reviewer', body: r.body.slice(0, BODY_MAX) });
  }
  return texts.reverse().slice(0, TEXTS_MAX);
}

/**
 * Why a PR was closed without merge:
 * - `no_response` when agentpr closed it itself (the stale close);
 * - else the first category of {@link REJECTION_PATTERNS} whose pattern matches what maintainers wrote (newest text
 *   first): `duplicate` ("duplicate of #12", "already fixed in", "superseded by"), `ai_policy` ("AI-generated",
 *   "LLM", "bot", "ChatGPT", "Copilot", "AI policy"), `unwanted_change` ("not interested", "won't accept", "out of
 *   scope", "not a direction", "we don't want");
 * - else `ci_failing` when the latest CI roll-up failed;
 * - else `no_response` when no maintainer wrote anything;
 * - else `other`, quoting the newest maintainer text.
 *
 * @example
 * const comments = [{ body: 'Duplicate of #12, thanks!', author: 'maint', authorAssociation: 'MEMBER' }];
 * classifyRejection({ closedByUs: false, comments, reviews: [], lastCheckRollup: null })
 * // → { category: 'duplicate', evidence: '@maint: "Duplicate of #12, thanks!"' }
 */
export function classifyRejection(input: RejectionInput): Rejection {
  if (input.closedByUs) return { category: 'no_response', evidence: 'closed by agentpr after the follow-up found no maintainer response' };
  const texts = maintainerTexts(input);
  for (const { category, patterns } of REJECTION_PATTERNS) {
    for (const text of texts) {
      for (const pattern of patterns) {
        const match = pattern.exec(text.body);
        if (match) return { category, evidence: quoteLine(`@${text.who}: "${sentenceAround(text.body, match.index, match[0].length)}"`) };
      }
    }
  }
  if (input.lastCheckRollup === 'failure') return { category: 'ci_failing', evidence: 'closed while the latest CI roll-up of the PR head failed' };
  if (texts.length === 0) return { category: 'no_response', evidence: 'closed without a maintainer comment or review' };
  const newest = texts[0]!;
  return { category: 'other', evidence: quoteLine(`@${newest.who}: "${quoteLine(newest.body, 200)}"`) };
}
