import { escapePlaceholders, joinSections, splitSections, stripControl, type MarkdownSection } from './markdown-text.js';

/** What a section of a PR description is about; `other` sections are never filled by agentpr. */
export type SectionKind = 'summary' | 'changes' | 'validation' | 'other';

/** A section of the rendered campaign template, filled, with what it is about. */
export interface FilledSection extends MarkdownSection {
  kind: SectionKind;
}

// Checked in this order: a checklist or "type of change" section is never filled, even if it says "change".
const KIND_RULES: ReadonlyArray<[SectionKind, RegExp]> = [
  ['other', /\b(type|kind|breaking|check ?list|screenshots?|related|issues?|tickets?|links?|references?|dependenc(?:y|ies)|licen[cs]e|cla|sign[- ]?off)\b/i],
  ['validation', /\b(tests?|tested|testing|validat(?:e|ed|ion)|verif(?:y|ied|ication)|qa)\b/i],
  ['summary', /\b(why|motivation|context|background|problem|purpose)\b/i],
  ['changes', /\b(changes?|changed|changelog|implementation|modifications?)\b/i],
  ['summary', /\b(summary|description|describe|overview|what|about|proposal|tl;?dr)\b/i],
];

/**
 * What a heading is about, by its words: `How has this been tested?` → validation, `Description` → summary,
 * `Changes` → changes, `Type of change` or `Checklist` → other.
 */
export function sectionKind(title: string): SectionKind {
  return KIND_RULES.find(([, rule]) => rule.test(title))?.[0] ?? 'other';
}

const CHECKBOX = /^\s*[-*+]\s+\[[ xX]\]\s/;

/** A repository section filled with ours: our text, then the section's own checkboxes (unticked as they were). */
function fillSection(original: string, ours: string): string {
  const checkboxes = original.replace(/<!--[\s\S]*?(?:-->|$)/g, '').split('\n').filter((line) => CHECKBOX.test(line));
  return checkboxes.length > 0 ? `${ours.trim()}\n\n${checkboxes.join('\n')}` : ours.trim();
}

/**
 * Fills a repository's own PR template (`.github/pull_request_template.md` and the like) with the filled campaign
 * sections. The repository's template is the skeleton: each campaign section about the summary, the changes or the
 * validation replaces the guidance of the first unused repository section about the same (its checkboxes are kept,
 * unticked); every other campaign section is appended after the template, in order. Repository sections agentpr
 * cannot fill (checklists, type of change, related issues) stay as written. The template is hostile text: controls
 * are stripped and its `{braces}` escaped, so it can never pass for an unfilled campaign placeholder.
 *
 * @example
 * mergeIntoRepoTemplate('## Description\n<!-- what and why -->\n\n## Checklist\n- [ ] tests', sections)
 */
export function mergeIntoRepoTemplate(repoTemplate: string, filled: readonly FilledSection[]): string {
  const repo = splitSections(escapePlaceholders(stripControl(repoTemplate)));
  const used = new Set<number>();
  const appended: MarkdownSection[] = [];
  for (const section of filled) {
    const at = section.kind === 'other' || section.heading === null ? -1 : repo.findIndex((r, i) => !used.has(i) && r.heading !== null && sectionKind(r.title) === section.kind);
    if (at < 0) {
      appended.push(section);
      continue;
    }
    used.add(at);
    repo[at] = { ...repo[at]!, body: fillSection(repo[at]!.body, section.body) };
  }
  return joinSections([...repo, ...appended]);
}
