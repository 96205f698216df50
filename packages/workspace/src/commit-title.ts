/** The rule a commit title must follow, as shown in error messages. */
export const COMMIT_TITLE_RULE = 'one non-empty line in conventional-commit form `type(scope)!: description`, e.g. `feat(api): add retry support`';

const CONVENTIONAL = /^[a-z][a-z0-9-]*(\([^()\r\n]+\))?!?: \S.*$/;

/** The outcome of {@link validateCommitTitle}. */
export type CommitTitleCheck = { ok: true; title: string } | { ok: false; error: string };

/**
 * Checks a commit title: a single line, not blank, in conventional-commit form (`type(scope)!: text`, scope
 * and `!` optional). Surrounding whitespace is trimmed; inner newlines are refused.
 *
 * @example
 * validateCommitTitle('feat(cli): add doctor'); // { ok: true, title: 'feat(cli): add doctor' }
 */
export function validateCommitTitle(title: string): CommitTitleCheck {
  const trimmed = title.trim();
  if (trimmed === '') return { ok: false, error: `the commit title is empty; it must be ${COMMIT_TITLE_RULE}.` };
  if (/[\r\n]/.test(trimmed)) return { ok: false, error: `the commit title has a line break; it must be ${COMMIT_TITLE_RULE}.` };
  if (!CONVENTIONAL.test(trimmed)) return { ok: false, error: `the commit title ${JSON.stringify(trimmed)} is not valid; it must be ${COMMIT_TITLE_RULE}.` };
  return { ok: true, title: trimmed };
}
