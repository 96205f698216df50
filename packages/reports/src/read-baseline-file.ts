import type { BaselineTests } from '@agentpr/runtime-analysis';
import { ReportError } from './errors.js';
import { readTail } from './report-files.js';

/** The largest baseline file read: run-prepare's artefact is a few KB. */
const MAX_BASELINE_BYTES = 1024 * 1024;
const OUTCOMES: ReadonlySet<string> = new Set(['passed', 'failed', 'error', 'timed_out']);

/**
 * Reads a `baseline_tests` artefact written by run-prepare (`<run>_baseline_tests_<stamp>.json`) for `agentpr analyze
 * --baseline-file`: its outcome and failing test names. A missing, oversized, unparseable or skipped baseline is a
 * one-line usage error naming the file.
 *
 * @example readBaselineFile('reports/run_1_baseline_tests_20261204T000000Z.json') // → { outcome: 'failed', failing_tests: ['adds numbers'] }
 */
export function readBaselineFile(path: string): BaselineTests {
  const text = readTail(path, MAX_BASELINE_BYTES + 1);
  if (text === undefined) throw new ReportError('not_found', `cannot read --baseline-file ${path}; pass the baseline_tests artefact run-prepare wrote`);
  if (text.length > MAX_BASELINE_BYTES) throw new ReportError('usage', `--baseline-file ${path} is larger than ${MAX_BASELINE_BYTES} bytes; it is not a baseline_tests artefact`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReportError('usage', `--baseline-file ${path} is not JSON; pass the baseline_tests artefact run-prepare wrote`);
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as { outcome?: unknown; failing_tests?: unknown; reason?: unknown };
  if (v.outcome === 'skipped') throw new ReportError('usage', `--baseline-file ${path} records a skipped baseline (${String(v.reason ?? 'no reason')}); there is nothing to compare with`);
  if (typeof v.outcome !== 'string' || !OUTCOMES.has(v.outcome) || !Array.isArray(v.failing_tests) || !v.failing_tests.every((n) => typeof n === 'string')) {
    throw new ReportError('usage', `--baseline-file ${path}: outcome and failing_tests are missing or invalid; pass the baseline_tests artefact run-prepare wrote`);
  }
  return { outcome: v.outcome as BaselineTests['outcome'], failing_tests: v.failing_tests as string[] };
}
