/** What the search matches against: an issue or a PR, flattened. */
export interface Searchable {
  kind: 'pr' | 'issue';
  owner: string;
  repo: string;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  labels: string[];
  comments: string[];
  createdAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  updatedAt: string;
}

/** A query GitHub would refuse (422), with GitHub's wording. */
export class SearchQueryError extends Error {}

type Term = { kind: 'qualifier'; key: string; value: string; negated: boolean } | { kind: 'text'; text: string; negated: boolean };

const QUALIFIERS = new Set(['repo', 'org', 'user', 'is', 'type', 'state', 'in', 'author', 'label', 'created', 'closed', 'merged', 'updated']);
/** Qualifiers given more than once match any of their values; the others must all match. */
const ANY_OF = new Set(['repo', 'org', 'user']);
const MAX_LENGTH = 256;
const MAX_OPERATORS = 5;

/** Splits a query into terms: `key:value` (value may be quoted), `"phrases"`, words; `-x` / `NOT x` negate, `OR` separates alternatives. */
function tokenize(q: string): { alternatives: Term[][]; qualifiers: Term[] } {
  const re = /(-?)(?:([a-z]+):("[^"]*"|\S+)|"([^"]*)"?|(\S+))/gi;
  const qualifiers: Term[] = [];
  const alternatives: Term[][] = [[]];
  let notNext = false;
  let operators = 0;
  for (const m of q.matchAll(re)) {
    const [, dash, key, value, phrase, word] = m;
    if (word === 'AND' || word === 'OR' || word === 'NOT') {
      operators++;
      if (word === 'OR') alternatives.push([]);
      if (word === 'NOT') notNext = true;
      continue;
    }
    const negated = dash === '-' || notNext;
    notNext = false;
    if (key !== undefined && value !== undefined) {
      const k = key.toLowerCase();
      if (!QUALIFIERS.has(k)) throw new SearchQueryError(`the stub does not understand the qualifier "${k}:"`);
      qualifiers.push({ kind: 'qualifier', key: k, value: value.replace(/^"|"$/g, ''), negated });
    } else {
      const text = phrase ?? word ?? '';
      if (text.trim()) alternatives.at(-1)!.push({ kind: 'text', text, negated });
    }
  }
  if (operators > MAX_OPERATORS) throw new SearchQueryError('More than five AND / OR / NOT operators were used.');
  return { alternatives: alternatives.filter((a, i) => a.length > 0 || i === 0), qualifiers };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** `[from, to)` in epoch ms for one side of a range; a date-only value covers its whole UTC day. */
function bounds(value: string): [number, number] {
  const t = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(t)) throw new SearchQueryError(`"${value}" is not a date`);
  return [t, DATE_ONLY.test(value) ? t + DAY_MS : t + 1];
}

/** Whether an ISO time satisfies `>X`, `>=X`, `<X`, `<=X`, `X..Y` (with `*`), or `X`. */
function matchesDate(time: string | null, spec: string): boolean {
  if (!time) return false;
  const t = Date.parse(time);
  const op = spec.match(/^(>=|<=|>|<)(.+)$/);
  if (op) {
    const [from, to] = bounds(op[2]!);
    if (op[1] === '>') return t >= to;
    if (op[1] === '>=') return t >= from;
    if (op[1] === '<') return t < from;
    return t < to;
  }
  const range = spec.match(/^(.+)\.\.(.+)$/);
  if (range) return (range[1] === '*' || t >= bounds(range[1]!)[0]) && (range[2] === '*' || t < bounds(range[2]!)[1]);
  const [from, to] = bounds(spec);
  return t >= from && t < to;
}

function matchesQualifier(item: Searchable, key: string, value: string): boolean {
  const v = value.toLowerCase();
  switch (key) {
    case 'repo':
      return `${item.owner}/${item.repo}`.toLowerCase() === v;
    case 'org':
    case 'user':
      return item.owner.toLowerCase() === v;
    case 'is':
    case 'type':
    case 'state':
      if (v === 'pr' || v === 'pull-request') return item.kind === 'pr';
      if (v === 'issue') return item.kind === 'issue';
      if (v === 'open' || v === 'closed') return item.state === v;
      if (v === 'merged') return item.merged;
      if (v === 'unmerged') return item.kind === 'pr' && item.state === 'closed' && !item.merged;
      if (v === 'draft') return item.draft;
      throw new SearchQueryError(`the stub does not understand "${key}:${value}"`);
    case 'in':
      return true;
    case 'author':
      return item.author.toLowerCase() === v;
    case 'label':
      return item.labels.some((l) => l.toLowerCase() === v);
    case 'created':
      return matchesDate(item.createdAt, value);
    case 'closed':
      return matchesDate(item.closedAt, value);
    case 'merged':
      return matchesDate(item.mergedAt, value);
    case 'updated':
      return matchesDate(item.updatedAt, value);
    default:
      throw new SearchQueryError(`the stub does not understand the qualifier "${key}:"`);
  }
}

const EPOCH = '1970-01-01T00:00:00Z';
const PROBE: Searchable = {
  kind: 'pr', owner: '', repo: '', title: '', body: '', author: '', state: 'closed', merged: true, draft: false, labels: [], comments: [],
  createdAt: EPOCH, closedAt: EPOCH, mergedAt: EPOCH, updatedAt: EPOCH,
};

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');

/**
 * Compiles a `/search/issues` query into a predicate, the way GitHub reads it closely enough for tests: qualifiers
 * `repo: org: user: is: type: state: in: author: label: created: closed: merged: updated:` (dates with `> >= < <=`
 * and `..`), quoted phrases and bare words matched case-insensitively in the fields `in:` names (default title, body
 * and comments), AND between terms, `OR` between alternatives, `-` / `NOT` negation. Throws
 * {@link SearchQueryError} for what GitHub refuses (over 256 characters, more than five operators) and for a
 * qualifier the stub does not know, so a test never passes on a silently ignored term.
 */
export function compileSearch(q: string): (item: Searchable) => boolean {
  if (q.length > MAX_LENGTH) throw new SearchQueryError('The search is longer than 256 characters.');
  const { alternatives, qualifiers } = tokenize(q);
  const fields = qualifiers.filter((t) => t.kind === 'qualifier' && t.key === 'in').flatMap((t) => (t.kind === 'qualifier' ? t.value.toLowerCase().split(',') : []));
  const within = fields.length > 0 ? new Set(fields) : new Set(['title', 'body', 'comments']);
  const textOf = (item: Searchable) =>
    norm([within.has('title') ? item.title : '', within.has('body') ? item.body : '', ...(within.has('comments') ? item.comments : [])].join('\n'));
  const byKey = new Map<string, Term[]>();
  for (const t of qualifiers) {
    if (t.kind !== 'qualifier') continue;
    matchesQualifier(PROBE, t.key, t.value); // refuses a malformed value now, not only when an item reaches it
    byKey.set(t.key, [...(byKey.get(t.key) ?? []), t]);
  }
  return (item) => {
    for (const [key, terms] of byKey) {
      const hit = (t: Term) => t.kind === 'qualifier' && matchesQualifier(item, key, t.value) !== t.negated;
      if (ANY_OF.has(key) ? !terms.some(hit) : !terms.every(hit)) return false;
    }
    const text = textOf(item);
    return alternatives.some((terms) => terms.every((t) => t.kind === 'text' && text.includes(norm(t.text)) !== t.negated));
  };
}
