import { escapePlaceholders, headingOf, oneLine, proseOf, stripControl } from './markdown-text.js';
import { MAX_BODY_CHARS } from './pr-text.js';

/** The heading of the disclosure section agentpr appends to a PR body. */
export const DISCLOSURE_HEADING = '## AI assistance';

/** What the gates ask a PR body to carry: the repository's or campaign's disclosure, and the issue it resolves. */
export interface PrBodyCitizenship {
  disclosure: string | null;
  issueNumber: number | null;
}

/** Whether the body already names the issue with a closing keyword (`Closes #12`, `fixes #12`, `Resolves: #12`). */
function closesIssue(body: string, issue: number): boolean {
  return new RegExp(`\\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\\b:?\\s+#${issue}\\b`, 'i').test(proseOf(body));
}

/** Whether the body already carries the disclosure: our heading, or the disclosure's text as one line. */
function disclosed(body: string, disclosure: string): boolean {
  const heading = headingOf(DISCLOSURE_HEADING)!.title.toLowerCase();
  if (body.split('\n').some((line) => headingOf(line)?.title.toLowerCase() === heading)) return true;
  return oneLine(body).includes(oneLine(disclosure));
}

/**
 * The PR body with what the repository's policy asks for, appended once: a `Closes #N` line when the run is tied to
 * an upstream issue (GitHub closes the issue when the PR merges), and a short final "AI assistance" section with the
 * disclosure. The disclosure is the operator's policy text: controls are stripped and its `{braces}` escaped, so it
 * never reads as an unfilled placeholder. Parts the body already has are not added again. The body is shortened
 * first, never the appended parts, to stay within GitHub's 65,536 characters.
 *
 * @example
 * withCitizenship('## Summary\n\nAdds x.\n', { disclosure: 'Prepared with an AI agent.', issueNumber: 12 })
 * // → '## Summary\n\nAdds x.\n\nCloses #12\n\n## AI assistance\n\nPrepared with an AI agent.\n'
 */
export function withCitizenship(body: string, add: PrBodyCitizenship): string {
  const parts: string[] = [];
  if (add.issueNumber !== null && !closesIssue(body, add.issueNumber)) parts.push(`Closes #${add.issueNumber}`);
  const disclosure = add.disclosure ? escapePlaceholders(stripControl(add.disclosure)).trim() : '';
  if (disclosure !== '' && !disclosed(body, disclosure)) parts.push(`${DISCLOSURE_HEADING}\n\n${disclosure}`);
  if (parts.length === 0) return body;
  const tail = `\n\n${parts.join('\n\n')}\n`;
  const room = MAX_BODY_CHARS - tail.length;
  const trimmed = body.trimEnd();
  const head = trimmed.length <= room ? trimmed : `${trimmed.slice(0, Math.max(0, room - 1))}…`;
  return head === '' ? tail.trimStart() : `${head}${tail}`;
}
