import type { BranchInfo, IssueSearchItem, RepoRef } from '@agentpr/github';

// Duplicate detection (issue 17): the same change already proposed in the target repository, as an open or
// recently closed PR, an issue, or a branch. Everything read here (titles, bodies, branch names) is hostile text:
// it is capped, stripped of control characters and only ever matched as literal text.

/** GitHub's limit on a search query's length (characters). Counted over the whole query, qualifiers included, to stay safe. */
export const SEARCH_QUERY_MAX_CHARS = 256;
/** GitHub's limit on the AND/OR/NOT operators in one search query. */
export const SEARCH_MAX_OPERATORS = 5;
/** The most of a body that is read when matching; the rest is ignored. */
const BODY_MAX_CHARS = 64 * 1024;
/** The most of a title kept as evidence. */
const TITLE_MAX_CHARS = 200;

/** The duplicate rules of a campaign (`EffectiveCampaignRules['duplicates']`, the fields the matching reads). */
export interface DuplicateRules {
  keywords: readonly string[];
  integration_name: string | null;
  closed_within_days: number;
}

/** What a duplicate search looks for, and where the terms came from. */
export interface DuplicateTerms {
  /** Words or phrases, matched case-insensitively as whole words; never empty when `source` is not `none`. */
  terms: string[];
  /** `rules`: the campaign's keywords and integration name; `campaign`: derived from the campaign's name; `none`: nothing to search for. */
  source: 'rules' | 'campaign' | 'none';
  /** One line for the verdict's detail saying where the terms came from (and how to set them). */
  note: string;
}

/** One search to run: PRs or issues, open or recently closed. */
export interface DuplicateQuery {
  kind: 'pr' | 'issue';
  state: 'open' | 'closed';
  /** The full `q` of `GET /search/issues`, within {@link SEARCH_QUERY_MAX_CHARS} and {@link SEARCH_MAX_OPERATORS}. */
  q: string;
}

/** A PR, issue or branch that proposes the same change: the evidence a blocked run shows. */
export interface DuplicateMatch {
  kind: 'pr' | 'issue' | 'branch';
  /** The page a human opens (html URL). */
  url: string;
  /** The title (a branch: its name), control characters stripped, capped. */
  title: string;
  state: 'open' | 'closed' | 'merged';
  /** The PR or issue number; null for a branch. */
  number: number | null;
  /** The term that matched. */
  matched: string;
  /** When it was closed (ISO 8601), for closed PRs and issues. */
  closedAt: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Hostile text made safe to show on one line: control and invisible characters become spaces, runs of spaces one, capped. */
export function oneLine(text: string, max: number): string {
  const flat = text.slice(0, max * 4).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A term as it is searched and matched: printable, quotes removed, single spaces. */
function cleanTerm(term: string): string {
  return oneLine(term.replace(/"/g, ' '), 100);
}

/** `My Integration.io` → `my-integration-io`: how a term appears in a branch name. */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The terms a duplicate search looks for: the campaign's keywords and integration name (deduplicated
 * case-insensitively), else a phrase derived from the campaign's name (`add-renovate` → `add renovate`). The
 * `default` campaign names no change, so with no keywords it has no terms (`source: 'none'`): never search for nothing.
 */
export function duplicateTerms(rules: Pick<DuplicateRules, 'keywords' | 'integration_name'>, campaign: string | null): DuplicateTerms {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const raw of [...rules.keywords, ...(rules.integration_name ? [rules.integration_name] : [])]) {
    const term = cleanTerm(raw);
    if (term !== '' && slugOf(term) !== '' && !seen.has(term.toLowerCase())) {
      seen.add(term.toLowerCase());
      terms.push(term);
    }
  }
  if (terms.length > 0) return { terms, source: 'rules', note: 'terms from the campaign\'s duplicates.keywords and duplicates.integration_name' };
  const name = (campaign ?? '').trim();
  const phrase = slugOf(name).replace(/-/g, ' ');
  const setHint = 'set duplicates.keywords or duplicates.integration_name in the policy file\'s campaigns section';
  if (phrase === '' || name.toLowerCase() === 'default') {
    return { terms: [], source: 'none', note: `the campaign ${JSON.stringify(name || 'default')} names no change and has no keywords; ${setHint}` };
  }
  return { terms: [phrase], source: 'campaign', note: `no keywords or integration name: searched for the campaign's name ${JSON.stringify(phrase)}; ${setHint}` };
}

/** `YYYY-MM-DD` of `now` minus `days` (UTC). */
function dateBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/** A term as a quoted search phrase, shortened at a word boundary to at most `room` characters (quotes included). */
function quoted(term: string, room: number): string | null {
  if (term.length + 2 <= room) return `"${term}"`;
  const words = term.split(' ');
  while (words.length > 1) {
    words.pop();
    const shorter = words.join(' ');
    // A shorter phrase finds more, never less; the matching still reads the whole term.
    if (shorter.length + 2 <= room) return `"${shorter}"`;
  }
  return room >= 3 + 2 ? `"${term.slice(0, room - 2)}"` : null;
}

/** Splits quoted terms into groups that fit one query each: at most SEARCH_MAX_OPERATORS + 1 terms, within `room` characters. */
function groups(terms: readonly string[], room: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const term of terms) {
    const phrase = quoted(term, room);
    if (phrase === null) continue;
    const extra = current.length === 0 ? phrase.length : phrase.length + 4;
    if (current.length > SEARCH_MAX_OPERATORS || length + extra > room) {
      out.push(current);
      current = [];
      length = 0;
    }
    length += current.length === 0 ? phrase.length : phrase.length + 4;
    current.push(phrase);
  }
  if (current.length > 0) out.push(current);
  return out.filter((g) => g.length > 0);
}

/**
 * The searches for one repository: open PRs, open issues, and (when `closedWithinDays` > 0) PRs and issues closed
 * after `now - closedWithinDays`, each with the terms OR-ed as quoted phrases. Terms are grouped so that every query
 * stays within GitHub's 256 characters and 5 operators; more terms make more groups. No terms: no queries.
 *
 * @example
 * duplicateQueries({ owner: 'acme', repo: 'widgets' }, ['renovate'], { now, closedWithinDays: 90 })
 * // → [{ kind: 'pr', state: 'open', q: 'repo:acme/widgets is:pr is:open "renovate"' }, …]
 */
export function duplicateQueries(repo: RepoRef, terms: readonly string[], options: { now: Date; closedWithinDays: number }): DuplicateQuery[] {
  const since = dateBefore(options.now, options.closedWithinDays);
  const shapes: Array<{ kind: 'pr' | 'issue'; state: 'open' | 'closed'; qualifiers: string }> = [];
  for (const kind of ['pr', 'issue'] as const) {
    shapes.push({ kind, state: 'open', qualifiers: `repo:${repo.owner}/${repo.repo} is:${kind} is:open` });
    if (options.closedWithinDays > 0) shapes.push({ kind, state: 'closed', qualifiers: `repo:${repo.owner}/${repo.repo} is:${kind} is:closed closed:>${since}` });
  }
  // Every shape shares one grouping, sized for the longest qualifiers, so each group is searched in every shape.
  const longest = Math.max(...shapes.map((s) => s.qualifiers.length));
  const termGroups = groups(terms.map(cleanTerm).filter((t) => t !== ''), SEARCH_QUERY_MAX_CHARS - longest - 1);
  return termGroups.flatMap((group) => shapes.map((s) => ({ kind: s.kind, state: s.state, q: `${s.qualifiers} ${group.join(' OR ')}` })));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher that finds the first term occurring in a text as a whole word or phrase, case-insensitively
 * (`renovate` matches "Add Renovate config" but not "renovated"); spaces in a phrase match any run of white space.
 */
export function termMatcher(terms: readonly string[]): (text: string | null | undefined) => string | null {
  const patterns = terms
    .map(cleanTerm)
    .filter((t) => t !== '')
    .map((term) => ({ term, re: new RegExp(`(?<![\\p{L}\\p{N}_])${term.split(' ').map(escapeRegExp).join('\\s+')}(?![\\p{L}\\p{N}_])`, 'iu') }));
  return (text) => {
    if (!text) return null;
    const capped = text.slice(0, BODY_MAX_CHARS).replace(CONTROL, ' ');
    return patterns.find((p) => p.re.test(capped))?.term ?? null;
  };
}

/** What decides whether a search hit counts. */
export interface SearchMatchOptions {
  terms: readonly string[];
  now: Date;
  closedWithinDays: number;
  /** The run's own PR (`run.pr_number`): never a duplicate of itself. */
  ownPrNumbers: readonly number[];
}

/**
 * The search hits that are duplicates: title or body holds a term as a word or phrase, open or closed within the
 * window (checked again here: a search index may lag), not the run's own PR; one match per URL, in hit order.
 * The caller still drops PRs whose head branch is the run's own (the search does not report heads).
 */
export function matchSearchItems(items: readonly IssueSearchItem[], options: SearchMatchOptions): DuplicateMatch[] {
  const match = termMatcher(options.terms);
  const oldest = options.now.getTime() - options.closedWithinDays * 86_400_000;
  const own = new Set(options.ownPrNumbers);
  const seen = new Set<string>();
  const found: DuplicateMatch[] = [];
  for (const item of items) {
    if (seen.has(item.htmlUrl)) continue;
    if (item.isPullRequest && own.has(item.number)) continue;
    if (item.state === 'closed') {
      const closed = item.closedAt ? Date.parse(item.closedAt) : Number.NaN;
      if (options.closedWithinDays <= 0 || !Number.isFinite(closed) || closed < oldest) continue;
    }
    const matched = match(item.title) ?? match(item.body);
    if (matched === null) continue;
    seen.add(item.htmlUrl);
    found.push({
      kind: item.isPullRequest ? 'pr' : 'issue',
      url: item.htmlUrl,
      title: oneLine(item.title, TITLE_MAX_CHARS),
      state: item.state === 'open' ? 'open' : item.merged ? 'merged' : 'closed',
      number: item.number,
      matched,
      closedAt: item.closedAt,
    });
  }
  return found;
}

/** The run's own branches: its feature branch(es) and any branch that names its run id. */
export interface OwnBranches {
  runId: string;
  branches: readonly string[];
}

/** True when a branch is the run's own: one of its branches (case-insensitively) or one that names its run id. */
export function isOwnBranch(name: string, own: OwnBranches): boolean {
  const lower = name.toLowerCase();
  if (own.branches.some((b) => b !== '' && b.toLowerCase() === lower)) return true;
  const id = slugOf(own.runId);
  return id !== '' && `-${slugOf(name)}-`.includes(`-${id}-`);
}

/** What decides whether a branch counts. */
export interface BranchMatchOptions {
  terms: readonly string[];
  own: OwnBranches;
  /** The campaign's branch prefix (`agentpr/`): removed before matching, so the prefix alone never makes a match. */
  branchPrefix: string | null;
  /** The repository's web page (`https://github.com/o/r`), for the branch's link. */
  repoHtmlUrl: string;
}

/**
 * The branches that are duplicates: the name (without the campaign's branch prefix) holds the slug of a term as
 * whole dash-separated words (`renovate` matches `add-renovate-config` and `renovate/setup`, not `renovated`), and
 * the branch is not the run's own.
 */
export function matchBranches(branches: readonly BranchInfo[], options: BranchMatchOptions): DuplicateMatch[] {
  const slugs = options.terms.map((t) => ({ term: cleanTerm(t), slug: slugOf(t) })).filter((s) => s.slug !== '');
  const prefix = options.branchPrefix?.toLowerCase() ?? '';
  const found: DuplicateMatch[] = [];
  for (const branch of branches.slice(0, 1000)) {
    const name = branch.name.slice(0, 255);
    if (isOwnBranch(name, options.own)) continue;
    const rest = prefix !== '' && name.toLowerCase().startsWith(prefix) ? name.slice(prefix.length) : name;
    const slug = `-${slugOf(rest)}-`;
    const hit = slugs.find((s) => slug.includes(`-${s.slug}-`));
    if (!hit) continue;
    found.push({
      kind: 'branch',
      url: `${options.repoHtmlUrl.replace(/\/+$/, '')}/tree/${name.split('/').map(encodeURIComponent).join('/')}`,
      title: oneLine(name, TITLE_MAX_CHARS),
      state: 'open',
      number: null,
      matched: hit.term,
      closedAt: null,
    });
  }
  return found;
}

/** `open PR #12 "Add Renovate"` / `branch add-renovate`: how a match is named in a one-line message. */
export function describeMatch(match: DuplicateMatch): string {
  const title = JSON.stringify(oneLine(match.title, 80));
  if (match.kind === 'branch') return `branch ${title}`;
  return `${match.state} ${match.kind === 'pr' ? 'PR' : 'issue'} #${match.number} ${title}`;
}
