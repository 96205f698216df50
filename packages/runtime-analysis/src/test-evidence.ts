import { targetCovers, type TestTarget } from './command-facts.js';
import { LIMITS, detach, excerpt, sentenceAround } from './bounded.js';
import { parseFailingTests } from './failing-test-names.js';
import type { StreamAnalysis, TestFailureRecord, TestRunEvidence } from './stream-types.js';

const OUTPUT_FAIL = /\b[1-9]\d* (?:failed|failing|errors?|fail)\b|^FAIL\b|\bTests?:\s+[1-9]\d* failed\b|\bFound [1-9]\d* errors?\b/im;
const OUTPUT_PASS = /\b\d+ (?:passed|passing|pass)\b|\bAll checks passed\b|\bSuccess: no issues found\b|\bFound 0 errors\b|\b0 fail\b/i;

interface AllowlistEntry {
  pattern: string;
  test: (s: string) => boolean;
}

interface PendingFailure {
  record: TestFailureRecord;
  targets: TestTarget[];
  uncovered: boolean[];
  left: number;
}

/** The test-evidence part of a {@link StreamAnalysis}. */
export type TestEvidenceResult = Pick<
  StreamAnalysis,
  | 'test_commands' | 'test_runs' | 'failed_test_commands' | 'failed_test_command_count' | 'waived_test_failures' | 'allowlisted_test_failure_matches'
  | 'test_failures'
>;

function compileAllowlist(patterns: readonly string[]): AllowlistEntry[] {
  const out: AllowlistEntry[] = [];
  const seen = new Set<string>();
  for (const raw of patterns) {
    const pattern = String(raw).trim();
    if (!pattern || seen.has(pattern)) continue;
    seen.add(pattern);
    try {
      const re = new RegExp(pattern, 'i');
      out.push({ pattern, test: (s) => re.test(s) });
    } catch {
      const needle = pattern.toLowerCase();
      out.push({ pattern, test: (s) => s.toLowerCase().includes(needle) });
    }
  }
  return out;
}

/** Adds `value` to `list` unless `seen` holds it. */
function addDistinct(list: string[], seen: Set<string>, value: string): void {
  if (seen.has(value)) return;
  seen.add(value);
  list.push(value);
}

/**
 * Test evidence: the first success of each validation command, failing validation executions, and
 * which later success covered them. A failure is waived when its OWN output matches an allowlist pattern.
 * Outputs with a masked exit status (pipe, `||`, `;`) are judged by their summary line.
 */
export class TestEvidence {
  private readonly allowlist: AllowlistEntry[];
  private readonly runs = new Map<string, TestRunEvidence>();
  private readonly pending: PendingFailure[] = [];
  private readonly resolved: TestFailureRecord[] = [];
  private droppedFailures = 0;

  /** `allowlist`: the known baseline-failure patterns (case-insensitive regexes; an invalid one is a substring). */
  constructor(allowlist: readonly string[]) {
    this.allowlist = compileAllowlist(allowlist);
  }

  /** Records a completed execution of a command with validation segments (`targets`). */
  completed(command: string, targets: TestTarget[], exitCode: number, output: string, line: number, itemId: string | null): void {
    const tail = output.length > LIMITS.outputForMatching ? output.slice(output.length - LIMITS.outputForMatching) : output;
    if (exitCode !== 0) {
      this.recordFailure(command, targets, exitCode, tail, line, itemId, undefined);
      return;
    }
    let success = targets;
    let note: string | undefined;
    if (targets.some((t) => t.masked)) {
      const masked = targets.filter((t) => t.masked);
      success = targets.filter((t) => !t.masked);
      const failing = OUTPUT_FAIL.exec(tail);
      if (failing) {
        const masks = masked.map((t) => `\`${t.normalized}\``).join(', ');
        this.recordFailure(command, masked, exitCode, tail, line, itemId, `exit 0, but the exit status of ${masks} is masked and the output reports failures ("${sentenceAround(tail, failing.index, 120)}")`);
      } else if (OUTPUT_PASS.test(tail)) {
        success = targets;
        note = 'exit status masked (pipe, `||` or `;`), but the output shows a passing summary';
      }
    }
    if (success.length === 0) return;
    if (!this.runs.has(command) && this.runs.size < LIMITS.testEvidence) {
      this.runs.set(command, { command, line, item_id: itemId, exit_code: 0, targets: success.map((t) => t.normalized), ...(note ? { note } : {}) });
    }
    this.resolveBy(success, command, line, itemId);
  }

  /** Records a command of the text fallback (no parsed events): a text match is enough evidence. */
  fallbackRun(command: string, targets: TestTarget[]): void {
    if (targets.length === 0 || this.runs.has(command) || this.runs.size >= LIMITS.testEvidence) return;
    this.runs.set(command, { command, line: 0, item_id: null, exit_code: 0, targets: targets.map((t) => t.normalized), note: 'text fallback: no parsed events, a text match is enough' });
  }

  private resolveBy(success: TestTarget[], command: string, line: number, itemId: string | null): void {
    for (let k = 0; k < this.pending.length; k++) {
      const p = this.pending[k]!;
      let cover: TestTarget | undefined;
      for (let i = 0; i < p.targets.length; i++) {
        if (!p.uncovered[i]) continue;
        const by = success.find((s) => targetCovers(s, p.targets[i]!));
        if (by) {
          cover = by;
          p.uncovered[i] = false;
          p.left--;
        }
      }
      if (p.left === 0) {
        p.record.resolved_by = { command, target: cover?.normalized ?? command, line, item_id: itemId };
        if (this.resolved.length < LIMITS.resolvedRecords) this.resolved.push(p.record);
        this.pending.splice(k, 1);
        k--;
      }
    }
  }

  private recordFailure(
    command: string, targets: TestTarget[], exitCode: number, output: string, line: number, itemId: string | null, note: string | undefined,
  ): void {
    if (this.pending.length >= LIMITS.failureRecords) {
      this.droppedFailures++;
      return;
    }
    const matches = this.allowlist.filter((a) => a.test(output)).map((a) => a.pattern);
    const failing = parseFailingTests(output).map((t) => ({
      ...t, name: detach(t.name), excerpt: detach(t.excerpt), ...(t.file ? { file: detach(t.file) } : {}),
    }));
    const record: TestFailureRecord = {
      command, line, item_id: itemId, exit_code: exitCode, targets: targets.map((t) => t.normalized), allowlist_matches: matches,
      output_excerpt: detach(excerpt(output)),
      ...(failing.length ? { failing_tests: failing } : {}),
      ...(note ? { note: detach(note) } : {}),
    };
    this.pending.push({ record, targets, uncovered: targets.map(() => true), left: targets.length });
  }

  /** The evidence: unresolved failures first (in order), waived ones separately, then the runs that proved something. */
  result(): TestEvidenceResult {
    const failed: string[] = [];
    const failedSet = new Set<string>();
    const waived: string[] = [];
    const waivedSet = new Set<string>();
    const matches: string[] = [];
    for (const { record } of this.pending) {
      if (record.allowlist_matches.length === 0) {
        addDistinct(failed, failedSet, record.command);
        continue;
      }
      for (const m of record.allowlist_matches) {
        if (!matches.includes(m) && matches.length < LIMITS.allowlistMatches) matches.push(m);
      }
      addDistinct(waived, waivedSet, record.command);
    }
    const testCommands = [...this.runs.keys()].sort();
    return {
      test_commands: testCommands,
      test_runs: testCommands.map((c) => this.runs.get(c)!).sort((a, b) => a.line - b.line),
      failed_test_commands: failed.slice(0, LIMITS.listedFailedCommands),
      failed_test_command_count: failed.length + (this.droppedFailures > 0 ? 1 : 0),
      // a command with both waived and unwaived unresolved failures is failed, not waived
      waived_test_failures: waived.filter((c) => !failedSet.has(c)).slice(0, LIMITS.listedFailedCommands),
      allowlisted_test_failure_matches: matches,
      test_failures: [...this.pending.map((p) => p.record), ...this.resolved].slice(0, LIMITS.listedTestFailures),
    };
  }
}
