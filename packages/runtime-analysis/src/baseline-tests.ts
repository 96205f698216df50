import { normalizeTestName, type FailingTestName } from './failing-test-names.js';
import { repoRelativePath } from './test-file-path.js';
import type { StreamAnalysis, TestFailureRecord } from './stream-types.js';

/** How the repository's test command ended on the untouched base commit. */
export type BaselineOutcome = 'passed' | 'failed' | 'error' | 'timed_out';

/** Where a failing test of the baseline lives, relative to the repository root. */
export interface BaselineTestLocation {
  name: string;
  file: string;
}

/** The baseline the classifier compares an attempt's failing tests with (the `baseline_tests` artefact of run-prepare). */
export interface BaselineTests {
  outcome: BaselineOutcome;
  /** The failing tests the base commit's output named (normalised names, at most 50). */
  failing_tests: readonly string[];
  /**
   * The files those tests live in, relative to the repository root, for the ones whose output said so. Lets a runner
   * that reports a whole file (node:test under codex's sandbox) be matched with the tests that failed in it. Absent
   * in older baselines.
   */
  failing_test_locations?: readonly BaselineTestLocation[];
}

/** A failing test as a person reads it: its name, the lines after it, and whether it already failed before the agent. */
export interface FailingTest {
  /** The test's name; for a whole file reported by the runner, the file's path relative to the repository. */
  name: string;
  excerpt: string;
  /** True when the baseline (the untouched base commit) named the same test failing (or, per file, a test of that file). */
  before_agent: boolean;
  /** The file the test lives in, relative to the repository root when known. */
  file?: string;
  /** The runner reported the whole file, not its tests. */
  per_file?: true;
  /** For a whole file matched with the baseline: the baseline's failing tests located in it. */
  baseline_tests?: string[];
}

/** A failing test the comparison cannot attribute either way, and why. */
export interface UndeterminedFailure {
  name: string;
  reason: string;
}

/** How an attempt's unresolved test failures relate to the baseline. */
export interface TestFailureAttribution {
  /** Every failing test named by an unresolved failure, in order, at most 30. */
  failing_tests: FailingTest[];
  /**
   * Failed commands whose every unresolved failure names only tests that already failed before the agent: they do
   * not fail the attempt. Empty when the agent made things worse.
   */
  pre_existing_commands: string[];
  /** Set when pre-existing failures still count: a test failing that did not before, or more failing tests than before. */
  worse: { new_failing_tests: string[]; failing_count: number; baseline_count: number } | null;
  /** Failures reported per file that cannot be compared with the baseline: they keep their command failed (never PASS on doubt). */
  undetermined: UndeterminedFailure[];
  /** Each failing test as judged, by its normalised name as the output printed it (for the evidence). */
  by_output_name: ReadonlyMap<string, FailingTest>;
}

/** What else the comparison needs: where the attempt ran and what the agent changed. */
export interface AttributeOptions {
  /** The directories the attempt's commands ran the repository in (the workspace first): absolute paths under them become relative. */
  roots?: readonly string[];
  /**
   * Files the attempt changed, relative to the repository root: a file reported as a whole that the agent changed is in
   * doubt. Unknown (undefined) puts every whole-file failure in doubt.
   */
  changedFiles?: readonly string[];
}

const LISTED = 30;

function unresolved(a: StreamAnalysis): TestFailureRecord[] {
  return a.test_failures.filter((f) => f.resolved_by === undefined);
}

interface Judged {
  test: FailingTest;
  /** The baseline's test names this failure stands for (itself, or the tests of its file); empty when new or undetermined. */
  covers: string[];
  undetermined: string | null;
}

/** The baseline as sets: failing names, and failing names by file. */
class BaselineIndex {
  readonly names: Set<string>;
  readonly byFile = new Map<string, string[]>();
  readonly allLocated: boolean;

  constructor(baseline: BaselineTests | null | undefined) {
    const failed = baseline?.outcome === 'failed';
    this.names = new Set(failed ? baseline.failing_tests.map(normalizeTestName) : []);
    const locations = failed ? (baseline.failing_test_locations ?? []) : [];
    for (const l of locations) this.byFile.set(l.file, [...(this.byFile.get(l.file) ?? []), normalizeTestName(l.name)]);
    const located = new Set(locations.map((l) => normalizeTestName(l.name)));
    this.allLocated = [...this.names].every((n) => located.has(n));
  }
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A whole file reported by the runner: the same failure as the baseline's tests in that file, new, or undetermined. */
function judgePerFile(t: FailingTestName, base: BaselineIndex, roots: readonly string[], changed: ReadonlySet<string> | null): Judged {
  const file = repoRelativePath(t.file ?? t.name, roots);
  const name = file ?? normalizeTestName(t.name);
  const test: FailingTest = { name, excerpt: t.excerpt, before_agent: false, ...(file ? { file } : {}), per_file: true };
  if (base.names.size === 0) return { test, covers: [], undetermined: null };
  if (file === null) return { test, covers: [], undetermined: `the runner reported the whole file ${name}, a path outside the repository, so it cannot be compared with the baseline` };
  const there = base.byFile.get(file) ?? [];
  if (there.length === 0) {
    if (base.allLocated) return { test, covers: [], undetermined: null };
    return { test, covers: [], undetermined: `the runner reported the whole file ${file}, and the baseline did not record which file its failing tests live in` };
  }
  if (changed === null) return { test, covers: [], undetermined: `the runner reported the whole file ${file}, and what the agent changed is not known` };
  if (changed.has(file)) return { test, covers: [], undetermined: `the runner reported the whole file ${file}, which the agent changed: a new failure in it cannot be told from the one before` };
  const excerpt = cap(`reported per file; failing there before the agent: ${there.join(', ')}${t.excerpt ? `\n${t.excerpt}` : ''}`, 300);
  return { test: { ...test, excerpt, before_agent: true, baseline_tests: there.slice(0, 10) }, covers: there, undetermined: null };
}

function judgeTest(t: FailingTestName, base: BaselineIndex, options: AttributeOptions, changed: ReadonlySet<string> | null): Judged {
  if (t.per_file) return judgePerFile(t, base, options.roots ?? [], changed);
  const name = normalizeTestName(t.name);
  const file = t.file ? repoRelativePath(t.file, options.roots ?? []) : null;
  const before = base.names.has(name);
  return { test: { name, excerpt: t.excerpt, before_agent: before, ...(file ? { file } : {}) }, covers: before ? [name] : [], undetermined: null };
}

/**
 * Tells "failing before the agent" from "broken by the agent". An unresolved failed test command is pre-existing when
 * its output names at least one failing test and every test it names failed on the base commit too; a command whose
 * output names no test cannot be attributed and stays failed. A runner that reports a whole file (node:test under
 * codex's sandbox) is matched with the baseline's failing tests located in that file (paths relative to the
 * repository root, `roots`); when that cannot be told — the path is outside the repository, the baseline did not
 * record locations, or the agent changed that file — the failure is `undetermined` and its command stays failed.
 * Nothing is excused when the agent made it worse: a test fails now that did not on the base commit (in the same file
 * too, when the output names tests), or more tests fail than did. Pure.
 *
 * @example
 * attributeTestFailures(analysis, { outcome: 'failed', failing_tests: ['adds numbers'] })
 * // → { failing_tests: [{ name: 'adds numbers', excerpt: '…', before_agent: true }], pre_existing_commands: ['npm test'], worse: null, … }
 */
export function attributeTestFailures(
  a: StreamAnalysis | null,
  baseline: BaselineTests | null | undefined,
  options: AttributeOptions = {},
): TestFailureAttribution {
  const byOutputName = new Map<string, Judged>();
  const none = { failing_tests: [], pre_existing_commands: [], worse: null, undetermined: [], by_output_name: new Map() };
  if (!a) return none;
  const base = new BaselineIndex(baseline);
  const changed = options.changedFiles ? new Set(options.changedFiles) : null;
  const judged = (t: FailingTestName): Judged => {
    const key = normalizeTestName(t.name);
    let j = byOutputName.get(key);
    if (!j) byOutputName.set(key, (j = judgeTest(t, base, options, changed)));
    return j;
  };
  const records = unresolved(a);
  const shown: FailingTest[] = [];
  const listed = new Set<string>();
  for (const t of records.flatMap((r) => r.failing_tests ?? [])) {
    const j = judged(t);
    if (listed.has(j.test.name)) continue;
    listed.add(j.test.name);
    if (shown.length < LISTED) shown.push(j.test);
  }
  const tests = new Map([...byOutputName].map(([k, j]) => [k, j.test]));
  const failing = records.filter((r) => r.allowlist_matches.length === 0);
  const failingJudged = [...new Set(failing.flatMap((r) => (r.failing_tests ?? []).map(judged)))];
  const undetermined = failingJudged.filter((j) => j.undetermined !== null).map((j) => ({ name: j.test.name, reason: j.undetermined! }));
  if (base.names.size === 0) return { failing_tests: shown, pre_existing_commands: [], worse: null, undetermined: [], by_output_name: tests };
  const newNames = [...new Set(failingJudged.filter((j) => !j.test.before_agent && j.undetermined === null).map((j) => j.test.name))];
  const failingCount = new Set(failingJudged.flatMap((j) => (j.undetermined !== null ? [] : j.test.before_agent ? j.covers : [j.test.name]))).size;
  if (newNames.length > 0 || failingCount > base.names.size) {
    const worse = { new_failing_tests: newNames.slice(0, LISTED), failing_count: failingCount, baseline_count: base.names.size };
    return { failing_tests: shown, pre_existing_commands: [], worse, undetermined, by_output_name: tests };
  }
  const attributable = (r: TestFailureRecord) => (r.failing_tests?.length ?? 0) > 0 && r.failing_tests!.every((t) => judged(t).test.before_agent);
  const commands = [...new Set(failing.map((r) => r.command))];
  const preExisting = commands.filter((c) => failing.filter((r) => r.command === c).every(attributable));
  return { failing_tests: shown, pre_existing_commands: preExisting, worse: null, undetermined, by_output_name: tests };
}
