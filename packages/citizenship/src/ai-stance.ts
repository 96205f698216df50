import type { AiStance } from '@agentpr/policy';
import { STANCE_PRECEDENCE, STANCE_RULES, mentionsAi, normaliseSentence, type StanceRule } from './ai-stance-rules.js';
import type { ContributionDocument, ContributionDocumentKind } from './contribution-documents.js';
import { documentSentences, type DocumentSentence } from './document-sentences.js';

export { STANCE_PRECEDENCE, STANCE_RULES } from './ai-stance-rules.js';
export type { StanceRule, RuleNeeds } from './ai-stance-rules.js';

/** A sentence the classifier relied on: where it is, what it says (exactly as written, trimmed), which rule matched. */
export interface StanceEvidence {
  path: string;
  /** A substring of the document, at most {@link QUOTE_MAX_CHARS} characters. */
  quote: string;
  rule: string;
}

/** A repository's stance on AI-generated contributions, and the sentences it rests on. */
export interface AiStanceResult {
  stance: AiStance;
  /** The sentences that decided the stance, in document order (at most {@link EVIDENCE_MAX}); empty for `unknown`. */
  evidence: StanceEvidence[];
  /** Weaker stances some sentences also matched (e.g. `disclosure_required` under `issue_first`), strongest first. */
  alsoMatched: AiStance[];
}

/** Characters kept of a quoted sentence. */
export const QUOTE_MAX_CHARS = 300;
/** Quotes kept as evidence. */
export const EVIDENCE_MAX = 5;
/** Characters of one sentence the rules read (longer "sentences" are lists without punctuation). */
const SENTENCE_MAX_CHARS = 1200;

/** The document shape the classifier needs. */
export type ClassifiableDocument = Pick<ContributionDocument, 'path' | 'text'> & { kind?: ContributionDocumentKind };

// A ban on bad use, not on AI: unreviewed, unsupervised or unexplained output, slop, co-author tags, undisclosed use.
const CONDITIONAL = new RegExp(
  [
    '\\bwithout\\s+(?:any\\s+)?(?:\\w+\\s+)?(?:review|reviewing|supervision|oversight|understanding|curation|verification|testing|approval|disclos\\w*|admission)',
    '\\bun-?(?:reviewed|supervised|verified|edited|tested|disclosed)\\b',
    "\\b(?:haven't|have\\s+not|don't|do\\s+not|cannot|can't)\\s+(?:\\w+\\s+)?(?:understood|understand|reviewed|review|tested|explain)\\b",
    "\\b(?:isn't|is\\s+not|not)\\s+disclosed\\b",
    '\\blow[- ](?:quality|effort|value)\\b',
    '\\bslop\\b',
    '\\bas-is\\b',
    '\\bverbatim\\b',
    '\\bunchanged\\b',
    '\\braw\\b',
    '\\bco-?authors?\\b',
    '\\bproxy\\b',
    '\\bvibe[- ]coded\\b',
    '\\bhuman[- ]in[- ]the[- ]loop\\b',
  ].join('|'),
  'i',
);
const MEDIA = /\b(?:media|images?|art|artworks?|videos?|audio|diagrams?|illustrations?|pictures?|icons?|logos?)\b/i;
const CODE_WORDS = /\b(?:code|contributions?|contributing|pull requests?|PRs?|patch(?:es)?|commits?|changes|submissions?)\b/i;
const OTHER_THAN_CODE = /\b(?:other than|except(?: for)?|besides|apart from)\s+code\b/gi;
// Sentences about reports, issues, comments or translation only: not about the code a PR brings.
const OTHER_SCOPE = /\b(?:reports?|reporting|translat\w*|issues?|comments?|discussions?|chat|forum|messages?|reviews?|reviewers?)\b/i;
const NEGATED_BAN = /\b(?:not|never|no\s+longer)\s+(?:\w+\s+){0,2}(?:forbid\w*|ban|bans|banned|banning|prohibit\w*|disallow\w*|reject\w*)\b|\bno\s+ban\b|n't\s+(?:\w+\s+){0,2}(?:forbid\w*|ban|bans|banned|prohibit\w*|disallow\w*)\b/i;
const NEGATED_DISCLOSURE = /\b(?:do(?:es)?\s*(?:not|n't)\s+(?:need|have)\s+to|(?:is|are)\s+not\s+(?:required|necessary|needed|mandatory)|no\s+need\s+to|(?:does|do)\s*(?:not|n't)\s+require)\b/i;
const USE_WORDS = /\b(?:tools?|usage|used|use|assist\w*|generated|agents?|disclos\w*)\b/i;
const NEGATION_IN_MATCH = /\b(?:not|never|no)\b|n't\b/i;
const QUALIFIED_ISSUE_RULE = /\b(?:non-trivial|large|larger|major|significant|substantial|bigger|big|new\s+features?|breaking)\b|\bplease\b|\bconsider\b/i;
// Headings under which a document talks about other projects: their rules are not this repository's.
const ABOUT_OTHERS = /^(?:references?|see also|links?|further reading|related(?:\s+\w+)?|attribution|credits|acknowledg\w*|sources?|inspiration|prior art|other projects?)$/i;
const AI_DOCUMENT_KINDS: ReadonlySet<ContributionDocumentKind> = new Set(['ai_policy', 'agent_instructions']);

interface Match {
  stance: AiStance;
  rule: string;
  path: string;
  quote: string;
  order: number;
}

/** The quote of a sentence: its first {@link QUOTE_MAX_CHARS} characters, cut at a space; always a substring of it. */
function quoteOf(sentence: string): string {
  if (sentence.length <= QUOTE_MAX_CHARS) return sentence;
  const cut = sentence.slice(0, QUOTE_MAX_CHARS);
  const space = cut.lastIndexOf(' ');
  return (space > QUOTE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd();
}

/** Why a rule may not read a sentence at all, by stance: conditions, media, other scopes, negations. */
function guarded(rule: StanceRule, raw: string, norm: string): boolean {
  if (rule.stance === 'forbidden' || rule.stance === 'allowed') {
    if (CONDITIONAL.test(raw) || CONDITIONAL.test(norm)) return true;
    const withoutCode = norm.replace(OTHER_THAN_CODE, '');
    if (MEDIA.test(withoutCode) && !CODE_WORDS.test(withoutCode)) return true;
  }
  if (rule.stance === 'forbidden' && rule.name !== 'automation_banned' && NEGATED_BAN.test(norm)) return true;
  if ((rule.stance === 'forbidden' || rule.stance === 'allowed' || rule.stance === 'disclosure_required') && OTHER_SCOPE.test(norm) && !CODE_WORDS.test(norm)) return true;
  if (rule.stance === 'disclosure_required' && NEGATED_DISCLOSURE.test(norm)) return true;
  if (rule.name === 'issue_required' && QUALIFIED_ISSUE_RULE.test(norm)) return true;
  return false;
}

/** The rule of a stance that matches a sentence, if any. */
function matchRule(rule: StanceRule, sentence: DocumentSentence, context: boolean): boolean {
  const raw = sentence.text.slice(0, SENTENCE_MAX_CHARS);
  const norm = normaliseSentence(raw, context);
  const inSentence = norm.includes('⟪AI⟫');
  if (rule.needs === 'ai_in_sentence' && !inSentence) return false;
  if (rule.needs === 'ai_context' && !inSentence && !context) return false;
  if (rule.stance === 'disclosure_required' && !inSentence && !USE_WORDS.test(norm)) return false;
  if (guarded(rule, raw, norm)) return false;
  for (const pattern of rule.patterns) {
    const found = pattern.exec(norm);
    if (!found) continue;
    if (rule.stance === 'allowed' && rule.name !== 'ban_negated' && NEGATION_IN_MATCH.test(found[0])) continue;
    if (rule.stance === 'allowed' && rule.name !== 'ban_negated' && NEGATION_IN_MATCH.test(norm.slice(Math.max(0, found.index - 24), found.index).replace(/\bno\s+matter\b/gi, ''))) continue;
    return true;
  }
  return false;
}

/** Whether a sentence is about AI by where it sits: an AI document, heading or list lead-in. */
function aiContext(sentence: DocumentSentence, kind: ContributionDocumentKind | undefined): boolean {
  return (kind !== undefined && AI_DOCUMENT_KINDS.has(kind)) || sentence.headings.some(mentionsAi) || (sentence.leadIn !== null && mentionsAi(sentence.leadIn));
}

/** Every rule match of one document. */
function documentMatches(document: ClassifiableDocument, offset: number): Match[] {
  const matches: Match[] = [];
  const sentences = documentSentences(document.text);
  sentences.forEach((sentence, index) => {
    if (sentence.heading && !mentionsAi(sentence.text)) return;
    if (ABOUT_OTHERS.test(sentence.headings.at(-1) ?? '')) return;
    const context = aiContext(sentence, document.kind);
    const seen = new Set<AiStance>();
    for (const rule of STANCE_RULES) {
      if (seen.has(rule.stance) || !matchRule(rule, sentence, context)) continue;
      seen.add(rule.stance);
      matches.push({ stance: rule.stance, rule: rule.name, path: document.path, quote: quoteOf(sentence.text), order: offset + index });
    }
  });
  return matches;
}

/**
 * Classifies a repository's stance on AI-generated contributions from its contribution documents: `forbidden`,
 * `issue_first`, `disclosure_required`, `allowed` or `unknown`. Deterministic: each sentence is read by the named rules
 * of {@link STANCE_RULES} (documented in the package README); the stance is the strongest one any sentence matched
 * ({@link STANCE_PRECEDENCE}), and its sentences are the evidence. Negations ("AI tools are not banned"), bans of bad
 * use only ("unreviewed AI output"), media-only rules, rules about reports or translation, and text about other
 * projects (under a References heading) do not count; a document that merely talks about AI (an AI library) matches
 * nothing.
 *
 * @example
 * classifyAiStance([{ path: 'CONTRIBUTING.md', text: 'We do not accept AI-generated contributions.' }])
 * // → { stance: 'forbidden', alsoMatched: [],
 *   //     evidence: [{ path: 'CONTRIBUTING.md', quote: 'We do not accept AI-generated contributions.', rule: 'ai_not_accepted' }] }
 */
export function classifyAiStance(documents: readonly ClassifiableDocument[]): AiStanceResult {
  const matches: Match[] = [];
  let offset = 0;
  for (const document of documents) {
    matches.push(...documentMatches(document, offset));
    offset += 1_000_000;
  }
  const stance = STANCE_PRECEDENCE.find((s) => matches.some((m) => m.stance === s)) ?? 'unknown';
  const quotes = new Set<string>();
  const evidence = matches
    .filter((m) => m.stance === stance)
    .sort((a, b) => a.order - b.order)
    .filter((m) => (quotes.has(`${m.path}\n${m.quote}`) ? false : (quotes.add(`${m.path}\n${m.quote}`), true)))
    .slice(0, EVIDENCE_MAX)
    .map(({ path, quote, rule }) => ({ path, quote, rule }));
  const alsoMatched = STANCE_PRECEDENCE.filter((s) => s !== stance && s !== 'unknown' && matches.some((m) => m.stance === s) && STANCE_PRECEDENCE.indexOf(s) > STANCE_PRECEDENCE.indexOf(stance));
  return { stance, evidence, alsoMatched };
}
