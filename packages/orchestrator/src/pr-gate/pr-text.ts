import { joinSections, oneLine, PLACEHOLDER, splitSections, stripControl } from './markdown-text.js';
import { genericTitleReason } from './pr-text-check.js';
import { agentSummary, changesSection, fallbackSummary, validationSection, type FileStat, type ValidationFacts } from './pr-text-sections.js';
import { mergeIntoRepoTemplate, sectionKind, type FilledSection, type SectionKind } from './repo-pr-template.js';

/**
 * The body used when the campaign has no `pr_description_template.md`: the same sections as the example
 * campaign's template.
 */
export const DEFAULT_PR_BODY_TEMPLATE = '## Summary\n\n{summary}\n\n## Changes\n\n{changes}\n\n## Validation\n\n{validation}\n';

/** The title tried last when neither the template's title nor the pushed commit's subject is specific. */
export const DEFAULT_PR_TITLE_TEMPLATE = 'feat({repo}): add {integration} integration';

/** GitHub's limits: 256 characters of title, 65,536 of body. */
export const MAX_TITLE_CHARS = 256;
export const MAX_BODY_CHARS = 65_536;

/** A campaign PR template: an optional title template (front matter `title:`) and the body template. */
export interface PrTemplate {
  title: string | null;
  body: string;
}

/** Everything a run contributes to its PR text. Pure data: {@link renderPrText} reads nothing else. */
export interface PrTextSources {
  owner: string;
  repo: string;
  runId: string;
  base: string;
  branch: string;
  /** The campaign's name when a campaign is loaded (the integration it lands), else null. */
  integration: string | null;
  /** The campaign's `default_commit_title`, the same for every run. */
  campaignDefaultTitle: string | null;
  /** The subject of the pushed head commit. */
  commitTitle: string | null;
  /** The agent's final message of the latest PASS attempt (agentpr's redacted copy). */
  agentMessage: string | null;
  /** The pushed diff against the base, file by file; null when git could not tell. */
  files: FileStat[] | null;
  /** The evidence of the latest PASS attempt; null when there is none. */
  validation: ValidationFacts | null;
  /** The repository's own PR template (path relative to the workspace, text as read); null when it has none. */
  repoTemplate: { path: string; text: string } | null;
}

/** Where the title came from: the operator (`flag`), the campaign template, the pushed commit or the built-in default. */
export type TitleSource = 'flag' | 'template' | 'commit' | 'default';

/** A rendered PR title and body, and what they were made from. */
export interface RenderedPrText {
  title: string;
  title_from: TitleSource;
  body: string;
  /** The repository template the body was merged into, relative to the workspace; null when none. */
  repo_template: string | null;
}

/**
 * Parses a campaign's `pr_description_template.md`: an optional front matter block whose `title:` is the PR title
 * template, then the body template.
 *
 * @example
 * parsePrTemplate('---\ntitle: "feat({repo}): add {integration} integration"\n---\n## Summary\n\n{summary}\n')
 * // → { title: 'feat({repo}): add {integration} integration', body: '## Summary\n\n{summary}\n' }
 */
export function parsePrTemplate(text: string): PrTemplate {
  const normal = stripControl(text);
  const match = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(normal);
  if (!match) return { title: null, body: normal };
  const line = match[1]!.split('\n').find((l) => /^title\s*:/i.test(l));
  const raw = line?.replace(/^title\s*:\s*/i, '').trim() ?? '';
  const title = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  return { title: title.trim() === '' ? null : title, body: normal.slice(match[0].length) };
}

/** Replaces the `{name}` placeholders whose value is known; the others stay for the check to find. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string | null | undefined>>): string {
  return text.replace(PLACEHOLDER, (match, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return typeof value === 'string' ? value : match;
  });
}

function titleValues(s: PrTextSources): Record<string, string | null> {
  const one = (v: string | null) => (v === null ? null : oneLine(v) || null);
  return {
    owner: one(s.owner),
    repo: one(s.repo),
    integration: one(s.integration),
    run_id: one(s.runId),
    base: one(s.base),
    branch: one(s.branch),
    commit_title: one(s.commitTitle),
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The PR title: the first specific one of the campaign template's title, the pushed commit's subject (only when the
 * template has no title) and {@link DEFAULT_PR_TITLE_TEMPLATE}, placeholders filled. When none is specific the
 * first candidate is returned, and the check refuses it.
 */
export function renderTitle(template: PrTemplate, s: PrTextSources): { title: string; from: TitleSource } {
  const values = titleValues(s);
  const rules = { campaignTitles: [s.campaignDefaultTitle, template.title] };
  const candidates: Array<{ text: string; from: TitleSource }> = [
    ...(template.title !== null ? [{ text: template.title, from: 'template' as const }] : [{ text: '{commit_title}', from: 'commit' as const }]),
    { text: DEFAULT_PR_TITLE_TEMPLATE, from: 'default' },
  ];
  const rendered = candidates.map((c) => ({ title: cut(oneLine(fillPlaceholders(c.text, values)), MAX_TITLE_CHARS), from: c.from }));
  return rendered.find((c) => genericTitleReason(c.title, rules) === null) ?? rendered[0]!;
}

function kindOf(section: { title: string; body: string }): SectionKind {
  const kinds = new Set([...section.body.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((n) => n === 'summary' || n === 'changes' || n === 'validation'));
  if (kinds.size === 1) return [...kinds][0] as SectionKind;
  return kinds.size === 0 && section.title !== '' ? sectionKind(section.title) : 'other';
}

/**
 * Renders a PR's title and body from the campaign template and the run's own content (pure). Body placeholders:
 * `{summary}` (the agent's final message, else a count of what changed), `{changes}` (the files with their line
 * counts), `{validation}` (the test commands and the verdict of the latest PASS attempt), and `{title}`, `{owner}`,
 * `{repo}`, `{integration}`, `{run_id}`, `{base}`, `{branch}`; title placeholders are the same plus
 * `{commit_title}`. Unknown placeholders stay in the text, so the check refuses it. With a repository PR template,
 * the filled sections go into its sections ({@link mergeIntoRepoTemplate}). A `title` option is used as it is.
 *
 * @example
 * const text = renderPrText(parsePrTemplate(readFileSync(campaign.files.pr_description_template, 'utf8')), sources);
 */
export function renderPrText(template: PrTemplate, s: PrTextSources, options: { title?: string | undefined } = {}): RenderedPrText {
  const given = options.title?.trim();
  const { title, from } = given ? { title: given, from: 'flag' as const } : renderTitle(template, s);
  const values = {
    ...titleValues(s),
    title,
    summary: agentSummary(s.agentMessage) ?? fallbackSummary(s.files, s),
    changes: changesSection(s.files),
    validation: validationSection(s.validation),
  };
  const sections: FilledSection[] = splitSections(template.body).map((section) => ({
    heading: section.heading === null ? null : fillPlaceholders(section.heading, values),
    title: section.title,
    body: fillPlaceholders(section.body, values),
    kind: kindOf(section),
  }));
  const body = s.repoTemplate ? mergeIntoRepoTemplate(s.repoTemplate.text, sections) : joinSections(sections);
  return { title, title_from: from, body: cut(body, MAX_BODY_CHARS), repo_template: s.repoTemplate?.path ?? null };
}
