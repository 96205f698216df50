import { describe, expect, it } from 'vitest';
import { looksLikeTestFile, repoRelativePath, testFilePath } from './test-file-path.js';

describe('test file paths', () => {
  it('reads a printed location without file://, line and column or quotes', () => {
    expect(testFilePath("'/srv/repo/test/a.test.js:4:1'")).toBe('/srv/repo/test/a.test.js');
    expect(testFilePath('file:///srv/repo/test/a.test.js:5')).toBe('/srv/repo/test/a.test.js');
    expect(testFilePath('a\u0000b')).toBeNull();
  });

  it('makes a path relative to the first root it lies under; relative paths are normalised; outside or escaping is null', () => {
    expect(repoRelativePath('/ws/alpha/test/a.test.js', ['/nope', '/ws/alpha/'])).toBe('test/a.test.js');
    expect(repoRelativePath('./test/a.test.js', [])).toBe('test/a.test.js');
    expect(repoRelativePath('/ws/beta/test/a.test.js', ['/ws/alpha'])).toBeNull();
    expect(repoRelativePath('/ws/alpha/../beta/a.test.js', ['/ws/alpha'])).toBeNull();
    expect(repoRelativePath('../a.test.js', ['/ws/alpha'])).toBeNull();
  });

  it('tells a file path from a test name', () => {
    expect(looksLikeTestFile('/srv/repo/test/legacy.test.js')).toBe(true);
    expect(looksLikeTestFile('tests/test_a.py')).toBe(true);
    expect(looksLikeTestFile('legacy slugify keeps accents')).toBe(false);
    expect(looksLikeTestFile(`${'a/'.repeat(1000)}x.js`)).toBe(false);
  });
});
