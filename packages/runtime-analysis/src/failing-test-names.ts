/** A failing test named by a test runner's output, with the lines that follow it there. */
export interface FailingTestName {
  /** The test's name as the runner prints it, without a trailing duration (at most 200 characters). */
  name: string;
  /** A few lines of the output right after the name (the assertion, usually), at most 300 characters; may be empty. */
  excerpt: string;
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
 * mocha (`1) suite` / `name:`). Each comes with the few lines that follow it. Reads only the last 64 KB of the output.
 *
 * @example
 * parseFailingTests('--- FAIL: TestAdd (0.00s)\n    add_test.go:9: got 3, want 4\nFAIL')
 * // → [{ name: 'TestAdd', excerpt: 'add_test.go:9: got 3, want 4\nFAIL' }]
 */
export function parseFailingTests(output: string): FailingTestName[] {
  if (!output) return [];
  const lines = boundedLines(output);
  const found: FailingTestName[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length && found.length < FAILING_TEST_LIMITS.names; i++) {
    const line = lines[i]!;
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
      const name = normalizeTestName(raw);
      if (name !== '' && !NOT_A_NAME.has(name) && !seen.has(name)) {
        seen.add(name);
        found.push({ name, excerpt: excerptAfter(lines, next, rest) });
      }
      break;
    }
  }
  return found;
}
