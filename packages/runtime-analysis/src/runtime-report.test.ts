import { describe, expect, it } from 'vitest';
import { classifyAttempt } from './classify-attempt.js';
import { buildRuntimeReport, runtimeReportMetadata, type RuntimeReportInput } from './runtime-report.js';
import { analyzeEventText } from './stream-analyzer.js';

const stream = [
  { type: 'turn.started' },
  { type: 'item.completed', item: { id: 'i1', type: 'command_execution', command: "/bin/sh -lc 'npm test'", aggregated_output: 'ok', exit_code: 0, status: 'completed' } },
  { type: 'turn.completed', usage: { input_tokens: 10, output_tokens: 2 } },
]
  .map((l) => JSON.stringify(l))
  .join('\n');

const now = new Date('2026-02-25T00:47:07.861Z');
const limits = { maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };

function ranAgent(): RuntimeReportInput {
  const analysis = analyzeEventText(stream);
  return {
    runId: 'run_1',
    agent: { agentExit: 0, durationMs: 1234, timedOut: false, interrupted: false },
    runtime: { attempt_no: 1 },
    workspace: { head_sha: 'h', tree_sha: 't', baseline_sha: 'b' },
    sandbox: { isolation: 'bwrap' },
    preflight: null,
    analysis,
    diff: null,
    eventStream: { retained: true, reason: 'sampled' },
    classification: classifyAttempt({ stage: 'IMPLEMENTING', agentExit: 0, analysis, ...limits }),
    now,
  };
}

describe('buildRuntimeReport', () => {
  it('writes the agent exit as result.exit_code, in the file format key order, with the signals of the analysis', () => {
    const report = buildRuntimeReport(ranAgent());
    expect(Object.keys(report)).toEqual(['run_id', 'created_at', 'engine', 'result', 'runtime', 'workspace', 'sandbox', 'preflight', 'signals', 'safety', 'classification']);
    expect(report).toMatchObject({
      run_id: 'run_1',
      created_at: '2026-02-25T00:47:07.861Z',
      engine: 'codex',
      result: { exit_code: 0, duration_ms: 1234, timed_out: false, interrupted: false },
      workspace: { head_sha: 'h', tree_sha: 't', baseline_sha: 'b' },
      sandbox: { isolation: 'bwrap' },
      classification: { grade: 'PASS' },
    });
    expect(Object.keys(report.result)).toEqual(['exit_code', 'duration_ms', 'timed_out', 'interrupted']);
    expect(report.signals).toMatchObject({ test_commands: ["/bin/sh -lc 'npm test'"], event_stream_retained: true, event_stream_retention_reason: 'sampled' });
    expect(report.safety).toMatchObject({ violation_count: 0, finding_count: 0 });
  });

  it('for an agent that never ran (a failed preflight) has a null exit, no signals and an empty violation list', () => {
    const preflight = { ok: false, failures: ['python 3.11 missing'] };
    const classification = classifyAttempt({ stage: 'IMPLEMENTING', agentExit: null, analysis: null, preflight, ...limits });
    const input: RuntimeReportInput = { ...ranAgent(), agent: null, workspace: null, sandbox: null, preflight, analysis: null, classification };
    const report = buildRuntimeReport(input);
    expect(report.result).toEqual({ exit_code: null, duration_ms: 0, timed_out: false, interrupted: false });
    expect(report.workspace).toEqual({ head_sha: null, tree_sha: null, baseline_sha: null });
    expect(report).toMatchObject({ signals: null, safety: { violations: [], violation_count: 0 }, preflight });
    expect(runtimeReportMetadata(report, { retained: false, reason: 'not_started' })).toEqual({
      exit_code: null,
      violations: 0,
      grade: 'HUMAN_REVIEW',
      reason_code: 'preflight_hard_failure',
      next_action: 'escalate',
      parsed_event_count: 0,
      command_event_count: 0,
      event_stream_retained: false,
      event_stream_retention_reason: 'not_started',
    });
  });

  it('runtimeReportMetadata counts the events of the analysis', () => {
    const input = ranAgent();
    const metadata = runtimeReportMetadata(buildRuntimeReport(input), input.eventStream);
    expect(metadata).toMatchObject({ exit_code: 0, grade: 'PASS', parsed_event_count: 3, command_event_count: input.analysis!.summary.command_event_count });
    expect(metadata.command_event_count).toBeGreaterThan(0);
  });
});
