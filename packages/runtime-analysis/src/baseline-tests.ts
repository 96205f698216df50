import { normalizeTestName } from './failing-test-names.js';
import type { StreamAnalysis, TestFailureRecord } from './stream-types.js';

/** How the repository's test command ended on the untouched base commit. */
export type BaselineOutcome = 'passed' | 'failed' | 'error' | 'timed_out';

/** The baseline the classifier compares an attempt's failing tests with (the `baseline_tests` artefact of run-prepare). */
export interface BaselineTests {
  outcome: BaselineOutcome;
  /** The failing tests the base commit's output named (normalised names, at most 50). */
  failing_tests: readonly string[];
}

/** A failing test as a person reads it: its name, the lines after it, and whether it already failed before the agent. */
export interface FailingTest {
  name: string;
  excerpt: string;
  /** True when the baseline (the untouched base commit) named the same test failing. */
  before_agent: boolean;
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
}

const LISTED = 30;

function unresolved(a: StreamAnalysis): TestFailureRecord[] {
  return a.test_failures.filter((f) => f.resolved_by === undefined);
}

/**
 * Tells "failing before the agent" from "broken by the agent". An unresolved failed test command is pre-existing when
 * its output names at least one failing test and every test it names failed on the base commit too; a command whose
 * output names no test cannot be attributed and stays failed. Nothing is excused when the agent made it worse: a test
 * fails now that did not on the base commit, or more tests fail than did. Pure.
 *
 * @example
 * attributeTestFailures(analysis, { outcome: 'failed', failing_tests: ['adds numbers'] })
 * // → { failing_tests: [{ name: 'adds numbers', excerpt: '…', before_agent: true }], pre_existing_commands: ['npm test'], worse: null }
 */
export function attributeTestFailures(a: StreamAnalysis | null, baseline: BaselineTests | null | undefined): TestFailureAttribution {
  if (!a) return { failing_tests: [], pre_existing_commands: [], worse: null };
  const before = new Set(baseline?.outcome === 'failed' ? baseline.failing_tests.map(normalizeTestName) : []);
  const records = unresolved(a);
  const shown: FailingTest[] = [];
  const counted = new Set<string>();
  for (const record of records) {
    for (const t of record.failing_tests ?? []) {
      const name = normalizeTestName(t.name);
      if (counted.has(name)) continue;
      counted.add(name);
      if (shown.length < LISTED) shown.push({ name, excerpt: t.excerpt, before_agent: before.has(name) });
    }
  }
  const failing = records.filter((r) => r.allowlist_matches.length === 0);
  const failingNames = new Set(failing.flatMap((r) => (r.failing_tests ?? []).map((t) => normalizeTestName(t.name))));
  const newNames = [...failingNames].filter((n) => !before.has(n));
  if (before.size === 0) return { failing_tests: shown, pre_existing_commands: [], worse: null };
  if (newNames.length > 0 || failingNames.size > before.size) {
    const worse = { new_failing_tests: newNames.slice(0, LISTED), failing_count: failingNames.size, baseline_count: before.size };
    return { failing_tests: shown, pre_existing_commands: [], worse };
  }
  const attributable = (r: TestFailureRecord) => (r.failing_tests?.length ?? 0) > 0 && r.failing_tests!.every((t) => before.has(normalizeTestName(t.name)));
  const commands = [...new Set(failing.map((r) => r.command))];
  const preExisting = commands.filter((c) => failing.filter((r) => r.command === c).every(attributable));
  return { failing_tests: shown, pre_existing_commands: preExisting, worse: null };
}
