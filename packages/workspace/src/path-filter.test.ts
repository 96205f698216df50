import { describe, expect, it } from 'vitest';
import { isIgnoredPath, normaliseGitPath } from './path-filter.js';

describe('isIgnoredPath', () => {
  it.each([
    ['', true],
    ['   ', true],
    ['.agentpr_runtime', true],
    ['.agentpr_runtime/codex_last_message.txt', true],
    ['node_modules/x/index.js', true],
    ['.venv/bin/python', true],
    ['.tox', true],
    ['.pytest_cache/v/cache', true],
    ['.mypy_cache/3.11/x.json', true],
    ['.ruff_cache/content', true],
    ['src/node_modules/x.js', false],
    ['node_modules_extra/x.js', false],
    ['.agentpr_runtime_other', false],
    ['README.md', false],
  ])('isIgnoredPath(%j) is %s', (path, expected) => {
    expect(isIgnoredPath(path)).toBe(expected);
  });

  it('normaliseGitPath trims and turns backslashes into slashes, so Windows-style runtime paths are ignored', () => {
    expect(normaliseGitPath('  .agentpr_runtime\\tmp\\x  ')).toBe('.agentpr_runtime/tmp/x');
    expect(isIgnoredPath('node_modules\\a')).toBe(true);
  });
});
