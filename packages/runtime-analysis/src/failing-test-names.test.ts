import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILING_TEST_LIMITS, normalizeTestName, parseFailingTests } from './failing-test-names.js';

const fixture = (name: string) => readFileSync(new URL(`./__tests__/fixtures/test-output/${name}`, import.meta.url), 'utf8');
const names = (output: string) => parseFailingTests(output).map((t) => t.name);

describe('parseFailingTests', () => {
  it('names node:test failures from its TAP output (no terminal), nested subtests included, with the error as excerpt', () => {
    const found = parseFailingTests(fixture('node-test-tap.txt'));
    expect(found.map((t) => t.name)).toEqual(['adds numbers', 'inner fails', 'suite']);
    expect(found[0]!.excerpt).toContain('Expected values to be strictly equal');
    expect(found[0]!.excerpt).not.toContain('duration_ms');
  });

  it('names node:test failures from its spec reporter once each, without durations or the "failing tests:" header', () => {
    const found = parseFailingTests(fixture('node-test-spec.txt'));
    expect(found.map((t) => t.name)).toEqual(['adds numbers', 'inner fails', 'suite']);
    expect(found[0]!.excerpt).toMatch(/^AssertionError/);
  });

  it('names vitest failures from the run and the summary, file-only FAIL lines excluded', () => {
    const out = [
      ' ❯ test/math.test.ts (2 tests | 1 failed) 4ms',
      '   × math > adds 3ms',
      '     → expected 2 to be 3',
      ' FAIL  test/broken.test.ts [ test/broken.test.ts ]',
      ' FAIL  test/math.test.ts > math > adds',
      'AssertionError: expected 2 to be 3 // Object.is equality',
      ' Test Files  1 failed (1)',
    ].join('\n');
    expect(names(out)).toEqual(['math > adds', 'test/math.test.ts > math > adds']);
    expect(parseFailingTests(out)[0]!.excerpt).toBe('→ expected 2 to be 3');
  });

  it('names jest failures (● suite › name, ✕ name)', () => {
    const out = ['FAIL src/sum.test.js', '  sum', '    ✕ adds 1 + 2 (5 ms)', '', '  ● sum › adds 1 + 2', '', '    expect(received).toBe(expected)'].join('\n');
    expect(names(out)).toEqual(['adds 1 + 2', 'sum › adds 1 + 2']);
    expect(parseFailingTests(out)[1]!.excerpt).toBe('expect(received).toBe(expected)');
  });

  it('names pytest failures from the short summary and -v lines, with the message after " - " as excerpt', () => {
    const out = [
      'tests/test_calc.py::test_add FAILED                                      [ 50%]',
      'tests/test_calc.py::test_sub PASSED                                      [100%]',
      '=========================== short test summary info ============================',
      'FAILED tests/test_calc.py::test_add - assert 3 == 4',
      'FAILED tests/test_calc.py::TestDiv::test_zero - ZeroDivisionError: division by zero',
    ].join('\n');
    const found = parseFailingTests(out);
    expect(found.map((t) => t.name)).toEqual(['tests/test_calc.py::test_add', 'tests/test_calc.py::TestDiv::test_zero']);
    expect(found[1]!.excerpt).toBe('ZeroDivisionError: division by zero');
  });

  it('names go test failures and subtests', () => {
    const out = ['=== RUN   TestAdd', '--- FAIL: TestAdd (0.00s)', '    add_test.go:9: got 3, want 4', '    --- FAIL: TestAdd/negative (0.00s)', 'FAIL', 'FAIL\texample.com/calc\t0.002s'].join('\n');
    const found = parseFailingTests(out);
    expect(found.map((t) => t.name)).toEqual(['TestAdd', 'TestAdd/negative']);
    expect(found[0]!.excerpt).toBe('add_test.go:9: got 3, want 4');
  });

  it('names cargo test failures', () => {
    const out = ['running 2 tests', 'test tests::adds ... ok', 'test tests::subtracts ... FAILED', '', 'failures:', '', '---- tests::subtracts stdout ----', "thread 'tests::subtracts' panicked"].join('\n');
    expect(names(out)).toEqual(['tests::subtracts']);
  });

  it('names mocha failures from the summary, suite and test joined', () => {
    const out = ['  calc', '    ✓ adds', '    1) subtracts', '', '  1 passing (5ms)', '  1 failing', '', '  1) calc', '       subtracts:', '     AssertionError: expected 1 to equal 2'].join('\n');
    const found = parseFailingTests(out);
    expect(found.map((t) => t.name)).toEqual(['calc subtracts']);
    expect(found[0]!.excerpt).toBe('AssertionError: expected 1 to equal 2');
  });

  it('finds nothing in passing output, and strips colours', () => {
    expect(parseFailingTests('ok 1 - adds\n# pass 1\n# fail 0\n')).toEqual([]);
    expect(parseFailingTests('')).toEqual([]);
    expect(names('\u001b[31m--- FAIL: TestColour (0.00s)\u001b[39m')).toEqual(['TestColour']);
  });

  it('stays bounded on hostile output: huge lines, many names, pathological repetition', () => {
    const many = Array.from({ length: 500 }, (_, i) => `--- FAIL: Test${i} (0.00s)`).join('\n');
    expect(parseFailingTests(many)).toHaveLength(FAILING_TEST_LIMITS.names);
    const started = performance.now();
    const hostile = `${'× '.repeat(200_000)}\n${' FAIL '.repeat(100_000)} > x\n${'not ok 1 '.repeat(50_000)}\n${'a::'.repeat(100_000)} FAILED`;
    const found = parseFailingTests(hostile);
    expect(performance.now() - started).toBeLessThan(1000);
    for (const t of found) expect(t.name.length).toBeLessThanOrEqual(FAILING_TEST_LIMITS.nameChars);
  });
});

describe('normalizeTestName', () => {
  it('drops trailing durations and TAP directives so runs compare', () => {
    expect(normalizeTestName('adds numbers (5.695616ms)')).toBe('adds numbers');
    expect(normalizeTestName('math > adds 3ms')).toBe('math > adds');
    expect(normalizeTestName('TestAdd (0.00s)')).toBe('TestAdd');
    expect(normalizeTestName('flaky # SKIP no network')).toBe('flaky');
  });
});

describe('parseFailingTests: where a failing test lives (real node --test outputs, see __tests__/fixtures/test-output/README.md)', () => {
  it('records the file of each failing node:test test from its TAP location, relative to the given root', () => {
    const found = parseFailingTests(fixture('node-test-per-test-two-files.txt'), { roots: ['/srv/repo'] });
    expect(found.map((t) => [t.name, t.file, t.per_file])).toEqual([
      ['legacy slugify keeps accents', 'test/legacy.test.js', undefined],
      ['trims twice', 'test/more.test.js', undefined],
      ['legacy helpers', 'test/more.test.js', undefined],
    ]);
    expect(found[0]!.excerpt).toContain('broken upstream since the unicode change');
  });

  it('keeps the printed path without a root, and leaves a path outside every root absolute', () => {
    expect(parseFailingTests(fixture('node-test-per-test.txt'))[0]!.file).toBe('/srv/repo/test/legacy.test.js');
    expect(parseFailingTests(fixture('node-test-per-test.txt'), { roots: ['/elsewhere'] })[0]!.file).toBe('/srv/repo/test/legacy.test.js');
  });

  it('marks a whole file reported by node:test under codex\'s sandbox as per_file, named by its relative path', () => {
    const found = parseFailingTests(fixture('node-test-per-file-two-files.txt'), { roots: ['/srv/repo'] });
    expect(found.map((t) => [t.name, t.file, t.per_file])).toEqual([
      ['test/legacy.test.js', 'test/legacy.test.js', true],
      ['test/more.test.js', 'test/more.test.js', true],
    ]);
    expect(found[0]!.excerpt).toContain("error: 'test failed'");
  });

  it('takes the file from vitest\'s "FAIL file > name", pytest\'s "file::name" and a jest file header', () => {
    expect(parseFailingTests(' FAIL  test/math.test.ts > math > adds')[0]!.file).toBe('test/math.test.ts');
    expect(parseFailingTests('FAILED tests/test_a.py::test_x - assert 1 == 2')[0]!.file).toBe('tests/test_a.py');
    expect(parseFailingTests(['FAIL src/sum.test.js', '  ● sum › adds 1 + 2', '', '    expect(received).toBe(expected)'].join('\n'))[0]!.file).toBe('src/sum.test.js');
    expect(parseFailingTests('--- FAIL: TestAdd (0.00s)')[0]!.file).toBeUndefined();
  });
});
