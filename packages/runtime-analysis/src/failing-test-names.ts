import { looksLikeTestFile, repoRelativePath, testFilePath } from './test-file-path.js';

/** A failing test named by a test runner's output, with the lines that follow it there. */
export interface FailingTestName {
  /** The test's name as the runner prints it, without a trailing duration (at most 200 characters). */
  name: string;
  /** A few lines of the output right after the name (the assertion, usually), at most 300 characters; may be empty. */
  excerpt: string;
  /**
   * The file the test lives in, when the output says so (TAP/node:test `location:`, vitest `FAIL file > name`, pytest
   * `file::name`, a jest/vitest file header): relative to the repository root when `roots` were given and it lies
   * under one, else as printed.
   */
  file?: string;
  /**
   * The runner reported the whole file, not its tests (node:test under codex's sandbox: `not ok 1 - /…/test/a.test.js`,
   * `error: 'test failed'`): `name` is then the file's path, and which of its tests failed is not known.
   */
  per_file?: true;
}

/** Options of {@link parseFailingTests}. */
export interface ParseFailingTestsOptions {
  /** The directories the command ran the repository in (the repository root first): absolute paths under them become relative. */
  roots?: readonly string[];
}

/** How much of an output is read (its end), how long a line may be, and how many names are kept. */
export const FAILING_TEST_LIMITS = { outputChars: 64 * 1024, lineChars: 2000, names: 50, nameChars: 200, excerptChars: 300, excerptLines: 4 } as const;

/**
 * One runner's line format: `match` returns the test's name on a line that reports a failing test, or null.
 * Every pattern is anchored and has no nested quantifier, and lines are capped before matching, so a hostile
 * output cannot make matching slow.
 */
interface LineRule {
  runner: string;
  match: (line: string) => string | null;
}

function group(re: RegExp, index = 1): (line: string) => string | null {
  return (line) => re.exec(line)?.[index] ?? null;
}

const RULES: readonly LineRule[] = [
  // vitest / jest summary: " FAIL  src/a.test.ts > suite > name"; a bare " FAIL  src/a.test.ts" names a file, not a test
  { runner: 'vitest', match: group(/^\s*FAIL\s+(\S[^>]* > .+)$/) },
  // vitest / jest / node:test spec: " × suite > name 3ms", " ✕ name (3 ms)", "✖ name (1.2ms)"
  { runner: 'spec', match: group(/^\s*[×✕✖✗]\s+(.+)$/) },
  // jest failure details: "  ● suite › name"
  { runner: 'jest', match: group(/^\s*● (.+ › .+)$/) },
  // pytest: "FAILED tests/test_a.py::test_x - assert 1 == 2" and "tests/test_a.py::test_x FAILED"
  { runner: 'pytest', match: group(/^FAILED (\S+::\S+)/) },
  { runner: 'pytest', match: group(/^(\S+::\S+) FAILED\b/) },
  // go test: "--- FAIL: TestX (0.00s)", subtests indented
  { runner: 'go', match: group(/^\s*--- FAIL: (\S+)/) },
  // cargo test: "test tests::it_fails ... FAILED"
  { runner: 'cargo', match: group(/^test (\S+) \.\.\. FAILED$/) },
  // TAP (node:test's default without a terminal, tap, mocha --reporter tap): "not ok 1 - name"
  { runner: 'tap', match: group(/^\s*not ok \d+ (?:- )?(.+)$/) },
  // mocha spec summary: "  1) suite" then "       name:" (joined by parseFailingTests)
  { runner: 'mocha', match: group(/^ {2}\d+\) (.+)$/) },
];

/** A trailing duration or TAP directive the runners print after a name: "12ms", "(3 ms)", "(0.00s)", "# TODO". */
const TRAILING = /\s+(?:\(?\d+(?:\.\d+)?\s?m?s\)?|#\s?(?:TODO|SKIP)\b.*)$/i;

/** A name as compared across runs: trimmed, trailing duration removed, whitespace collapsed, capped. */
export function normalizeTestName(raw: string): string {
  const name = raw.replace(TRAILING, '').replace(/\s+/g, ' ').trim();
  return name.length <= FAILING_TEST_LIMITS.nameChars ? name : `${name.slice(0, FAILING_TEST_LIMITS.nameChars - 1)}…`;
}

/** The mocha summary names a test over several lines: the suite(s), then the test ending with ":". */
function mochaName(lines: readonly string[], at: number, first: string): { name: string; next: number } {
  const parts = [first];
  let i = at + 1;
  while (i < lines.length && i <= at + 4 && !parts.at(-1)!.endsWith(':')) {
    const part = lines[i]!.trim();
    if (part === '') break;
    parts.push(part);
    i++;
  }
  if (!parts.at(-1)!.endsWith(':')) return { name: '', next: at + 1 };
  return { name: parts.join(' ').slice(0, -1), next: i };
}

/** A file header some runners print before a file's failures: jest `FAIL src/a.test.js`, vitest `❯ test/a.test.ts (2 tests | 1 failed)`. */
const FILE_HEADER = /^\s*(?:FAIL|❯)\s+(\S+)(?:\s+[[(].*)?$/;
const TAP_LOCATION = /^\s*location:\s*(.+)$/;

/** The `location:` of the YAML block right after a TAP `not ok` line (at most 40 lines on), or null. */
function tapLocation(lines: readonly string[], from: number): string | null {
  if (lines[from]?.trim() !== '---') return null;
  for (let i = from + 1; i < lines.length && i <= from + 40; i++) {
    const line = lines[i]!.trim();
    if (line === '...') return null;
    const m = TAP_LOCATION.exec(line);
    if (m) return testFilePath(m[1]!);
  }
  return null;
}

/** Where a rule's test lives, when its line or the output around it says so. */
function fileOf(runner: string, raw: string, lines: readonly string[], at: number, header: string | null): string | null {
  if (runner === 'tap') return tapLocation(lines, at + 1);
  if (runner === 'pytest') return testFilePath(raw.split('::')[0]!);
  if (runner === 'vitest') {
    const first = raw.split(' > ')[0]!.trim();
    return looksLikeTestFile(first) ? testFilePath(first) : null;
  }
  return runner === 'spec' || runner === 'jest' ? header : null;
}

/** The file and per-file facts of a found test, paths made relative to `roots` where they lie under one. */
function located(runner: string, name: string, file: string | null, roots: readonly string[]): Pick<FailingTestName, 'name' | 'file' | 'per_file'> {
  const rel = (p: string) => repoRelativePath(p, roots) ?? p;
  const path = testFilePath(name);
  // node:test reports a file it could not read the tests of by the file's own path (its location is line 1 of it)
  const perFile = runner === 'tap' && path !== null && looksLikeTestFile(name) && (file === null || file === path);
  if (perFile) return { name: rel(path), file: rel(path), per_file: true };
  return file ? { name, file: rel(file) } : { name };
}

/** Lines that say nothing about the failure: TAP's YAML bookkeeping and stack frames. */
const NOISE = /^(?:---|\.\.\.|duration_ms:|location:|failureType:|at |#)/;

/** Lines where a failure's own text has ended: the next file, test or summary. */
const STOP = /^(?:FAIL\b|PASS\b|❯|✓|✔|ok \d|Test Files\b|Tests:|={3}|\d+ (?:failed|passed|errors?)\b)/;

/** Headers some runners print before repeating the failures (node:test's spec reporter). */
const NOT_A_NAME = new Set(['failing tests:']);

function excerptAfter(lines: readonly string[], from: number, rest: string): string {
  const kept: string[] = rest ? [rest] : [];
  for (let i = from; i < lines.length && kept.length < FAILING_TEST_LIMITS.excerptLines; i++) {
    const line = lines[i]!.trim();
    if (line === '') {
      if (kept.length > 0) break;
      continue;
    }
    if (STOP.test(line) || RULES.some((r) => r.match(lines[i]!) !== null)) break;
    if (NOISE.test(line)) continue;
    kept.push(line);
  }
  const text = kept.join('\n');
  return text.length <= FAILING_TEST_LIMITS.excerptChars ? text : `${text.slice(0, FAILING_TEST_LIMITS.excerptChars - 1)}…`;
}

/** The last `outputChars` of a command's output as capped lines, ANSI colours removed. */
function boundedLines(output: string): string[] {
  const tail = output.length > FAILING_TEST_LIMITS.outputChars ? output.slice(output.length - FAILING_TEST_LIMITS.outputChars) : output;

  return tail.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => (l.length > FAILING_TEST_LIMITS.lineChars ? l.slice(0, FAILING_TEST_LIMITS.lineChars) : l.replace(/\r$/, '')));
}

/**
 * The failing tests a test command's output names, in order of first appearance, de-duplicated, at most 50:
 * vitest and jest (`FAIL a.test.ts > suite > name`, `× name`, `● suite › name`), pytest (`FAILED a.py::test_x`),
 * go test (`--- FAIL: TestX`), cargo test (`test x ... FAILED`), TAP and node:test (`not ok 1 - name`, `✖ name`) and
 * mocha (`1) suite` / `name:`). Each comes with the few lines that follow it and, when the output says so, the file
 * it lives in (relative to `roots`); a whole file reported by node:test is marked `per_file`. Reads only the last
 * 64 KB of the output.
 *
 * @example
 * parseFailingTests('--- FAIL: TestAdd (0.00s)\n    add_test.go:9: got 3, want 4\nFAIL')
 * // → [{ name: 'TestAdd', excerpt: 'add_test.go:9: got 3, want 4\nFAIL' }]
 */
export function parseFailingTests(output: string, options: ParseFailingTestsOptions = {}): FailingTestName[] {
  if (!output) return [];
  const lines = boundedLines(output);
  const found: FailingTestName[] = [];
  const seen = new Set<string>();
  let header: string | null = null;
  for (let i = 0; i < lines.length && found.length < FAILING_TEST_LIMITS.names; i++) {
    const line = lines[i]!;
    const h = FILE_HEADER.exec(line)?.[1];
    if (h !== undefined && looksLikeTestFile(h)) header = testFilePath(h);
    for (const rule of RULES) {
      let raw = rule.match(line);
      if (raw === null) continue;
      let next = i + 1;
      if (rule.runner === 'mocha') ({ name: raw, next } = mochaName(lines, i, raw));
      let rest = '';
      if (rule.runner === 'pytest' && raw !== '') {
        const dash = line.indexOf(' - ');
        rest = dash >= 0 ? line.slice(dash + 3).trim() : '';
      }
      const normalized = normalizeTestName(raw);
      if (normalized === '' || NOT_A_NAME.has(normalized)) break;
      const where = located(rule.runner, normalized, fileOf(rule.runner, raw, lines, i, header), options.roots ?? []);
      if (!seen.has(where.name)) {
        seen.add(where.name);
        found.push({ ...where, excerpt: excerptAfter(lines, next, rest) });
      }
      break;
    }
  }
  return found;
}
