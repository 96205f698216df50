import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNonHermeticPaths, scanTestFile } from './hermetic-paths.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
// Built from pieces so that this file does not trip the guard it tests.
const UP = '..';
const scan = (source: string, file = 'packages/x/src/__tests__/a.test.ts') => scanTestFile('/r', `/r/${file}`, source).map((f) => `${f.line} ${f.reason}`);

describe('the hermetic test guard', () => {
  it('finds no test in the repository that reads outside it', () => {
    const found = findNonHermeticPaths(ROOT).map((f) => `${f.file}:${f.line}: ${f.reason}: ${f.text}`);
    expect(found, `tests must read only the repository (vendor fixtures into tools/fixtures):\n${found.join('\n')}`).toEqual([]);
  });

  it('reports the shared folder, machine paths, os.homedir and home paths that are read', () => {
    expect(scan(`const f = readFileSync('${UP}/${UP}/${UP}/${UP}/${UP}/shared/fixtures/x.json');`)).toContainEqual(expect.stringMatching(/^1 reads the shared folder beside the checkout/));
    expect(scan(`\nconst dir = '/${'work'}/main/tools';`)).toEqual(['2 absolute /work/ path (a machine path, not the repository)']);
    expect(scan(`const home = ${'homedir'}();`)).toHaveLength(1);
    expect(scan(`const key = readFileSync('/${'home'}/op/.ssh/id_rsa');`)).toEqual(['1 reads a path in a home directory']);
  });

  it('reports module paths and file-relative paths that climb above the root, with the line', () => {
    expect(scan(`import { x } from '${UP}/${UP}/${UP}/${UP}/${UP}/outside.js';`)).toEqual([`1 module path ${UP}/${UP}/${UP}/${UP}/${UP}/outside.js escapes the repository`]);
    expect(scan(`a;\nconst p = join(import.meta.dirname, '${UP}', '${UP}', '${UP}', '${UP}', '${UP}', 'x');`)).toEqual(['2 a path climbs out of the repository from the test file']);
    expect(scan(`const p = new URL('${UP}/${UP}/${UP}/${UP}/${UP}/x', import.meta.url);`)).toHaveLength(1);
    expect(scan(`const p = join(\n  import.meta.dirname,\n  '${UP}', '${UP}', '${UP}', '${UP}', '${UP}',\n  'x',\n);`, 'packages/x/src/__tests__/a.test.ts')).toHaveLength(0);
  });

  it('accepts paths that stay inside, home paths used as data, and comments', () => {
    expect(scan(`import { x } from '${UP}/${UP}/${UP}/${UP}/tools/fixtures/a.js';`)).toEqual([]);
    expect(scan(`const a = join(import.meta.dirname, '${UP}', '${UP}', '${UP}', '${UP}', 'campaigns'); const b = join(import.meta.dirname, '${UP}', 'y');`)).toEqual([]);
    expect(scan(`expect(label('/home/bob/.aws/credentials')).toBe('a credential store');`)).toEqual([]);
    expect(scan(`// once read ${UP}/shared/fixtures, now vendored`)).toEqual([]);
  });
});
