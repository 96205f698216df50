import { describeCommand } from '@agentpr/runtime-analysis';
import { codeSpan, escapePlaceholders, headingOf, isFence, oneLine, stripControl } from './markdown-text.js';

/** One changed file of the pushed diff with its line counts; null counts for a binary file. */
export interface FileStat {
  path: string;
  added: number | null;
  deleted: number | null;
}

/** One validation command of the PASS attempt and what it showed. */
export interface ValidationCommand {
  command: string;
  /** The command's exit status in the evidence, null when the evidence names none. */
  exit: number | null;
}

/** The test evidence of the latest PASS attempt (its run digest and verdict). */
export interface ValidationFacts {
  grade: string;
  reasonCode: string;
  attemptNo: number | null;
  /** Validation commands that succeeded (the analyser's test evidence), in order. */
  passed: ValidationCommand[];
  /** Validation commands still failing (none in a PASS). */
  failed: string[];
  /** Failing commands waived because their output matched the known-failure allowlist. */
  waived: string[];
}

/** The most files listed by name; the rest are counted. */
export const MAX_LISTED_FILES = 50;
/** The most characters of the agent's summary kept. */
export const MAX_SUMMARY_CHARS = 2000;
/** The most lines of the agent's summary kept. */
export const MAX_SUMMARY_LINES = 40;

// Report keys of the agent's final message that the Changes and Validation sections show from evidence instead.
const REPORT_KEY = /^\s*(?:[-*]\s*)?[*_`]*(status|files?[ _]changed|changed[ _]files|tests?|validation)[*_`]*\s*:/i;
const NOTES_KEY = /^\s*(?:[-*]\s*)?[*_`]*notes?[*_`]*\s*:\s*/i;
const LIST_OR_INDENTED = /^(?:\s+\S|\s*(?:[-*+]|\d+[.)])\s)/;

/**
 * What the agent said it did, fit for a PR body: its final message without the report keys agentpr shows from
 * evidence (`status:`, `files_changed:`, `tests:`/`validation:` and their lists), controls stripped, headings made
 * bold (they would split the body's sections), `{placeholders}` escaped, cut to {@link MAX_SUMMARY_LINES} lines
 * and {@link MAX_SUMMARY_CHARS} characters. Null when nothing is left.
 */
export function agentSummary(message: string | null): string | null {
  if (!message) return null;
  const kept: string[] = [];
  let skipping = false;
  let fenced = false;
  for (const raw of stripControl(message).split('\n')) {
    if (isFence(raw)) fenced = !fenced;
    if (!fenced && REPORT_KEY.test(raw)) {
      skipping = true;
      continue;
    }
    if (skipping && LIST_OR_INDENTED.test(raw)) continue;
    skipping = false;
    const heading = fenced ? null : headingOf(raw);
    kept.push(heading ? `**${heading.title}**` : raw.replace(NOTES_KEY, ''));
  }
  let text = kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  const lines = text.split('\n');
  if (lines.length > MAX_SUMMARY_LINES) text = `${lines.slice(0, MAX_SUMMARY_LINES).join('\n')}\n…`;
  if (text.length > MAX_SUMMARY_CHARS) text = `${text.slice(0, MAX_SUMMARY_CHARS - 1)}…`;
  return text === '' ? null : escapePlaceholders(text);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function totals(files: readonly FileStat[]): { added: number; deleted: number } {
  return files.reduce((t, f) => ({ added: t.added + (f.added ?? 0), deleted: t.deleted + (f.deleted ?? 0) }), { added: 0, deleted: 0 });
}

/** The summary when the agent left none: how much changed where. */
export function fallbackSummary(files: readonly FileStat[] | null, repo: { owner: string; repo: string }): string {
  const where = escapePlaceholders(oneLine(`${repo.owner}/${repo.repo}`));
  if (!files || files.length === 0) return `Changes to ${where} prepared by an automated coding agent.`;
  const t = totals(files);
  return `This change touches ${plural(files.length, 'file')} in ${where} (+${t.added} −${t.deleted} lines); the files are listed below.`;
}

/**
 * The Changes section: one line per file with its added and deleted lines (binary files say so), at most
 * {@link MAX_LISTED_FILES}, then the totals. `null` files (the diff could not be read) say where to look instead.
 */
export function changesSection(files: readonly FileStat[] | null): string {
  if (files === null) return 'The file list could not be read from git; see the commits of this pull request.';
  if (files.length === 0) return 'No file changes.';
  const lines = files.slice(0, MAX_LISTED_FILES).map((f) => `- ${codeSpan(f.path)} ${f.added === null ? '(binary)' : `(+${f.added} −${f.deleted ?? 0})`}`);
  if (files.length > MAX_LISTED_FILES) lines.push(`- … and ${plural(files.length - MAX_LISTED_FILES, 'more file')}`);
  const t = totals(files);
  return `${lines.join('\n')}\n\n${plural(files.length, 'file')} changed, ${t.added} insertions(+), ${t.deleted} deletions(−).`;
}

/**
 * The Validation section from the PASS attempt's evidence: each validation command with its result, waived known
 * failures, and the verdict it earned. Without a PASS attempt it says so rather than claim anything.
 */
export function validationSection(facts: ValidationFacts | null): string {
  if (!facts) return 'No passing agent attempt is recorded for this change, so no test evidence is shown.';
  const lines = facts.passed.map((c) => `- ${codeSpan(describeCommand(c.command))} — passed${c.exit === null ? '' : ` (exit ${c.exit})`}`);
  for (const command of facts.waived) lines.push(`- ${codeSpan(describeCommand(command))} — failed only with a known failure on the allowlist (waived)`);
  for (const command of facts.failed) lines.push(`- ${codeSpan(describeCommand(command))} — failed`);
  const attempt = facts.attemptNo === null ? '' : `, attempt ${facts.attemptNo}`;
  const verdict = `agentpr's verdict on the change: ${oneLine(facts.grade)} (${codeSpan(facts.reasonCode)}${attempt}).`;
  if (lines.length === 0) return `No test command was recorded in the evidence.\n\n${verdict}`;
  return `Checks run on the change, from agentpr's record of the agent's commands:\n\n${lines.join('\n')}\n\n${verdict}`;
}
