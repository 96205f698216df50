import { describe, expect, it } from 'vitest';
import { validateCommitTitle } from './commit-title.js';

describe('validateCommitTitle', () => {
  it.each(['feat: add x', 'fix(api): handle 404', 'feat(cli)!: drop --legacy', 'docs: note', 'chore(deps-dev): bump x', '  refactor: tidy  '])('validateCommitTitle accepts %j', (title) => {
    expect(validateCommitTitle(title)).toEqual({ ok: true, title: title.trim() });
  });

  it('validateCommitTitle refuses an empty title and states the rule', () => {
    const r = validateCommitTitle('   ');
    expect(r).toEqual({ ok: false, error: expect.stringContaining('is empty; it must be one non-empty line in conventional-commit form `type(scope)!: description`') });
  });

  it('validateCommitTitle refuses a title with a newline in one line of error', () => {
    const r = validateCommitTitle('feat: a\nb');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain('line break');
      expect(r.error.split('\n')).toHaveLength(1);
    }
  });

  it.each(['add a feature', 'Feat: x', 'feat:x', 'feat(): x', 'feat(scope) : x', 'feat: ', ': x'])('validateCommitTitle refuses %j', (title) => {
    expect(validateCommitTitle(title).ok).toBe(false);
  });
});
