import { PLACEHOLDER, unfilledPlaceholders } from './markdown-text.js';

/** Why a PR title or body is not fit to open: the DoD check codes of the PR text. */
export type PrTextProblemCode = 'pr_title_generic' | 'pr_body_placeholders';

/** One problem with a PR's text, as a DoD check (`code`, one-line `message`). */
export interface PrTextProblem {
  code: PrTextProblemCode;
  message: string;
}

/** What a title is compared with besides the stock list: the campaign's own default titles. */
export interface GenericTitleRules {
  /**
   * Titles that are the same for every run of the campaign: its `default_commit_title` and the literal text of its
   * PR title template. Compared after {@link normalizeTitle}.
   */
  campaignTitles: readonly (string | null | undefined)[];
}

/**
 * Subjects (the title after a conventional-commit prefix) that say nothing about the change. Compared after
 * {@link normalizeTitle}; `feat: add example integration` is the example campaign's default title.
 */
export const STOCK_SUBJECTS: readonly string[] = [
  'update', 'updates', 'change', 'changes', 'fix', 'fixes', 'wip', 'draft', 'todo', 'tbd', 'title', 'untitled',
  'pr', 'pull request', 'new pull request', 'integration', 'add integration', 'example integration', 'add example integration',
];

/** A title compared case-insensitively: lower case, whitespace runs as one space, no trailing `.`, trimmed. */
export function normalizeTitle(title: string): string {
  return title.toLowerCase().replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '');
}

/** The subject of a conventional-commit title: `feat(widgets)!: add x` → `add x`; any other title as it is. */
export function titleSubject(title: string): string {
  return title.replace(/^[a-z]+(?:\([^)]*\))?!?:\s*/i, '');
}

/**
 * Why `title` is generic, or null when it is specific. A title is GENERIC when, compared by {@link normalizeTitle}:
 * 1. it is blank or still holds a `{placeholder}`;
 * 2. it equals one of the campaign's own titles ({@link GenericTitleRules.campaignTitles}: the default commit
 *    title, the PR title template's literal text), which every run of the campaign would share;
 * 3. it has no conventional-commit scope (`feat(widgets): …` names the repository or the area) and its subject
 *    ({@link titleSubject}) is one of {@link STOCK_SUBJECTS}, starts with `agentpr` (it names the tool, not the
 *    change), or has no letter at all.
 *
 * A specific title therefore says what this change does or where, e.g. `feat(widgets): add example integration`
 * or `feat: add titleCase helper`.
 */
export function genericTitleReason(title: string, rules: GenericTitleRules): string | null {
  const normal = normalizeTitle(title);
  if (normal === '') return 'the title is blank';
  const placeholders = [...title.matchAll(PLACEHOLDER)].map((m) => `{${m[1]}}`);
  if (placeholders.length > 0) return `the title still holds ${placeholders.join(', ')}`;
  if (rules.campaignTitles.some((t) => typeof t === 'string' && t.trim() !== '' && normalizeTitle(t) === normal)) {
    return "it is the campaign's default title, the same for every repository";
  }
  if (/^[a-z]+\([^)]*\p{L}[^)]*\)!?:/u.test(normal)) return null;
  const subject = normalizeTitle(titleSubject(normal));
  if (STOCK_SUBJECTS.includes(subject) || /^agentpr\b/.test(subject) || !/\p{L}/u.test(subject)) return `"${subject}" does not say what the change does`;
  return null;
}

/**
 * The problems of a PR's title and body, [] when it may be opened: a generic title ({@link genericTitleReason})
 * and a body that still shows `{placeholders}` to a reader (in prose, not in code or HTML comments).
 *
 * @example
 * checkPrText({ title: 'feat: add example integration', body: '{summary}' }, { campaignTitles: [] })
 * // → [{ code: 'pr_title_generic', … }, { code: 'pr_body_placeholders', message: 'the PR body has unfilled placeholders {summary}' }]
 */
export function checkPrText(text: { title: string; body: string }, rules: GenericTitleRules): PrTextProblem[] {
  const problems: PrTextProblem[] = [];
  const why = genericTitleReason(text.title, rules);
  if (why) problems.push({ code: 'pr_title_generic', message: `the PR title "${text.title.trim()}" is generic: ${why}` });
  const unfilled = unfilledPlaceholders(text.body);
  if (unfilled.length > 0) {
    problems.push({ code: 'pr_body_placeholders', message: `the PR body has unfilled placeholders ${unfilled.map((n) => `{${n}}`).join(', ')}` });
  }
  return problems;
}
