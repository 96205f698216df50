import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { addArtifact, applyEvent, createRun, openStore, recordAttempt, type OpenDatabase } from '@agentpr/store';
import { buildReportSignals, buildRunDigest, buildStageSnapshot, classifyAttempt, analyzeEventText, renderManagerInsight } from '@agentpr/runtime-analysis';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { analyzeStream, inspectRun, runBottlenecks, skillsFeedback, skillsMetrics, type ReportContext } from '../index.js';
import { testArtifactWriter, testReportPaths } from './report-test-context.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(here, '../../../../tools/fixtures');
const EVENTS = join(FIXTURES, 'codex-events');
const CAPTURES = join(FIXTURES, 'codex-0.169-captures');
const EXAMPLE_POLICY = resolve(here, '../../../policy/manager_policy.example.json');

const opened: Array<{ store: OpenDatabase; db: TestDatabase }> = [];
afterAll(async () => {
  for (const o of opened) {
    await o.store.db.destroy();
    await o.db.drop();
  }
  cleanupTempDirs();
});

const NOW = new Date('2026-02-25T00:47:07.861Z');

/** The report context over a fresh database, with a data directory of its own (`<data>/workspaces` holds the runs). */
async function context(kind: 'sqlite' | 'postgres'): Promise<ReportContext & { dataDir: string }> {
  const db = await freshDatabase(kind);
  const store = await openStore(db.location);
  opened.push({ store, db });
  const dir = tempDir('agentpr-reports-');
  const clock = (): Date => NOW;
  return { db: store.db, dialect: store.dialect, clock, paths: testReportPaths(dir), artifacts: testArtifactWriter(clock), dataDir: dir };
}

describe('analyzeStream (agentpr analyze)', () => {
  const ctx = { clock: () => NOW, paths: testReportPaths(tempDir('agentpr-analyze-')) };

  it('gives a verdict with evidence and a digest for every fixture', async () => {
    const files = [...readdirSync(EVENTS).map((f) => join(EVENTS, f)), ...readdirSync(CAPTURES).map((d) => join(CAPTURES, d, 'stdout.jsonl'))];
    expect(files).toHaveLength(28);
    for (const file of files) {
      const r = await analyzeStream(ctx, { file });
      expect(r.ok, file).toBe(true);
      expect(['PASS', 'RETRYABLE', 'HUMAN_REVIEW'], file).toContain(r.grade);
      expect(r.evidence.length, file).toBeGreaterThan(0);
      expect(r.digest.classification.reason_code, file).toBe(r.reason_code);
      expect(r.stage).toBe('IMPLEMENTING');
    }
  });

  it('dexter 010449 with --repo virattt/dexter and the shipped policy: bun test waived by the repo allowlist, typecheck still fails', async () => {
    const r = await analyzeStream(ctx, { file: join(EVENTS, 'calib_dexter_20260225_r2_agent_events_20260225T010449205273Z.jsonl'), stage: 'local_validating', repo: 'virattt/dexter', policyFile: EXAMPLE_POLICY });
    expect([r.grade, r.reason_code, r.next_action, r.stage]).toEqual(['HUMAN_REVIEW', 'test_command_failed', 'escalate', 'LOCAL_VALIDATING']);
    expect(r.policy).toMatchObject({ loaded: true, repo: 'virattt/dexter', thresholds: { min_test_commands: 2, max_changed_files: 4 } });
    expect(r.evidence.find((e) => e.line === 26)?.note).toMatch(/→ waived as a known baseline failure/);
    expect(r.evidence.find((e) => e.line === 21)).toMatchObject({ exit_code: 2, note: 'line 21: `bun run typecheck` exit 2, never re-run successfully for the same target → failed' });
    expect(r.signals.waived_test_failures).toHaveLength(2);
    expect(r.digest.policy_used).toEqual({ max_changed_files: 4, max_added_lines: 70, min_test_commands: 2, skills_mode: 'agentpr' });
    expect(r.exit_code_source).toBe('inferred: the last turn completed (turn.completed)');
    expect(r.insight).toContain('`test_command_failed`');
  });

  it('uses --exit-code and --stderr-file when given', async () => {
    const dir = join(CAPTURES, '14-missing-api-key-env');
    const r = await analyzeStream(ctx, { file: join(dir, 'stdout.jsonl'), agentExit: 1, stderrFile: join(dir, 'stderr.txt') });
    expect([r.grade, r.reason_code, r.exit_code, r.exit_code_source]).toEqual(['HUMAN_REVIEW', 'runtime_hard_failure', 1, '--exit-code']);
  });

  it('bad input: unknown stage and bad --repo are usage errors, a missing file is not_found, nothing is written', async () => {
    const file = join(EVENTS, 'run_policy_smoke_20260224_agent_events_20260225T001601002465Z.jsonl');
    await expect(analyzeStream(ctx, { file, stage: 'COOKING' })).rejects.toMatchObject({ code: 'usage', message: expect.stringContaining('--stage must be a run state') });
    await expect(analyzeStream(ctx, { file, repo: 'mem0' })).rejects.toMatchObject({ code: 'usage', message: '--repo must be owner/name (e.g. mem0ai/mem0), got "mem0"' });
    await expect(analyzeStream(ctx, { file: '/nope/events.jsonl' })).rejects.toMatchObject({ code: 'not_found', message: 'cannot read event stream /nope/events.jsonl: no such file; pass the path of an agent event stream (JSONL)' });
    expect(() => readdirSync(ctx.paths.reportsDir)).toThrow();
  });

  it('a policy file with bad JSON is invalid_json (exit 2); wrong types name the file and field', async () => {
    const dir = tempDir();
    const file = join(EVENTS, 'run_policy_smoke_20260224_agent_events_20260225T001601002465Z.jsonl');
    writeFileSync(join(dir, 'bad.json'), '{"run_agent_step": {');
    await expect(analyzeStream(ctx, { file, policyFile: join(dir, 'bad.json') })).rejects.toMatchObject({ code: 'invalid_json', message: expect.stringMatching(/^invalid JSON: /) });
    writeFileSync(join(dir, 'types.json'), '{"run_agent_step": {"min_test_commands": "two"}}');
    await expect(analyzeStream(ctx, { file, policyFile: join(dir, 'types.json') })).rejects.toMatchObject({
      code: 'config',
      message: `${join(dir, 'types.json')}: run_agent_step.min_test_commands: must be an integer (got "two")`,
    });
  });

  it('an empty file and binary garbage give a clear verdict, not a crash', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.jsonl'), '');
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256)));
    const empty = await analyzeStream(ctx, { file: join(dir, 'empty.jsonl') });
    expect([empty.grade, empty.reason_code]).toEqual(['HUMAN_REVIEW', 'empty_event_stream']);
    const garbage = await analyzeStream(ctx, { file: join(dir, 'garbage.bin') });
    expect([garbage.grade, garbage.reason_code]).toEqual(['HUMAN_REVIEW', 'unparseable_event_stream']);
    expect(garbage.warnings[0]).toMatch(/malformed line\(s\), first at line 1/);
  });
});

/** Writes a runtime report, digest and insight for an attempt, as run-agent-step would, and records them. */
interface SkillPlanFixture {
  mode: string;
  required_now: string[];
  available_optional: string[];
  missing_required: string[];
  run_state: string;
}

async function recordAgentAttempt(ctx: ReportContext, runId: string, fixture: string, opts: { stage: string; skills?: SkillPlanFixture }): Promise<void> {
  const stdout = readFileSync(join(EVENTS, fixture), 'utf8');
  const analysis = analyzeEventText(stdout);
  const budgets = { maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };
  const classification = classifyAttempt({ stage: opts.stage, agentExit: 0, analysis, ...budgets });
  const attempt = await recordAttempt(ctx.db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: stdout.slice(-2000), stderr: 'warn: x\n', durationMs: 60_000, grade: classification.grade, reasonCode: classification.reason_code, stage: opts.stage }, ctx.clock);
  mkdirSync(ctx.paths.reportsDir, { recursive: true });
  const lastMessage = join(ctx.paths.reportsDir, `${runId}_last_message_${attempt.attempt_no}.txt`);
  writeFileSync(lastMessage, `${analysis.last_agent_message ?? ''}\n`);
  const { signals, safety } = buildReportSignals(analysis, { diff: null, retained: true, retentionReason: 'non_pass' });
  const report = {
    run_id: runId,
    created_at: NOW.toISOString(),
    engine: 'codex',
    result: { exit_code: 0, duration_ms: 60_000, timed_out: false },
    runtime: { attempt_no: attempt.attempt_no, max_retryable_attempts: 3, skills_mode: opts.skills?.mode ?? 'off', skill_plan: opts.skills ?? null, event_stream_path: '', last_message_path: lastMessage },
    signals,
    safety,
    classification,
  };
  const reportPath = join(ctx.paths.reportsDir, `${runId}_agent_runtime_${attempt.attempt_no}.json`);
  writeFileSync(reportPath, JSON.stringify(report));
  await addArtifact(ctx.db, { runId, type: 'agent_runtime_report', uri: reportPath }, ctx.clock);
  const digest = buildRunDigest({
    run: { run_id: runId, owner: 'mem0ai', repo: 'mem0', mode: 'push_only', prompt_version: 'v1', workspace_dir: '/ws' },
    stateBefore: opts.stage,
    stateAfter: opts.stage,
    attempt: { attemptNo: attempt.attempt_no, durationMs: 60_000, agentExit: 0 },
    classification,
    skillPlan: null,
    analysis,
    diff: null,
    workspace: null,
    policyUsed: { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' },
    stages: buildStageSnapshot([{ step: 'agent', attempt_no: 1, exit_code: 0, duration_ms: 60_000, created_at: NOW.toISOString() }]),
    preflight: null,
    now: NOW,
  });
  const digestPath = join(ctx.paths.reportsDir, `${runId}_run_digest_${attempt.attempt_no}.json`);
  writeFileSync(digestPath, JSON.stringify(digest));
  await addArtifact(ctx.db, { runId, type: 'run_digest', uri: digestPath }, ctx.clock);
  const insightPath = join(ctx.paths.reportsDir, `${runId}_manager_insight_${attempt.attempt_no}.md`);
  writeFileSync(insightPath, renderManagerInsight(digest));
  await addArtifact(ctx.db, { runId, type: 'manager_insight', uri: insightPath }, ctx.clock);
}

async function newRun(ctx: ReportContext & { dataDir: string }, runId: string): Promise<void> {
  await createRun(ctx.db, { runId, owner: 'mem0ai', repo: 'mem0', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(ctx.dataDir, 'workspaces', runId) }, ctx.clock);
}

describe.each(dialectsUnderTest())('diagnostics use cases on %s', (kind) => {
  it('inspectRun shows state, accepted next commands, timing, events and the latest report/digest/insight', async () => {
    const ctx = await context(kind);
    await newRun(ctx, 'run_inspect');
    expect((await inspectRun(ctx, { runId: 'run_inspect' })).recommended_actions).toEqual(['agentpr start-discovery --run-id run_inspect', 'agentpr run-prepare --run-id run_inspect']);
    await applyEvent(ctx.db, 'run_inspect', { event: { type: 'command.start.discovery' } }, ctx.clock);
    await recordAttempt(ctx.db, { runId: 'run_inspect', step: 'preflight', succeeded: true, stdout: 'ok', stderr: '', durationMs: 1000 }, ctx.clock);
    await recordAttempt(ctx.db, { runId: 'run_inspect', step: 'preflight', succeeded: true, stdout: 'ok', stderr: '', durationMs: 1000 }, ctx.clock);
    await recordAgentAttempt(ctx, 'run_inspect', 'calib_mem0_20260225_r3_agent_events_20260225T022056291528Z.jsonl', { stage: 'DISCOVERY' });

    const v = await inspectRun(ctx, { runId: 'run_inspect', includeLogTails: true, commandLimit: 5 });
    expect(v.state).toBe('DISCOVERY');
    expect(v.allowed_targets).toEqual(['FAILED_RETRYABLE', 'FAILED_TERMINAL', 'NEEDS_HUMAN_REVIEW', 'PAUSED', 'PLAN_READY', 'SKIPPED']);
    expect(v.recommended_actions).toEqual(['agentpr mark-plan-ready --run-id run_inspect --contract-path <path>', 'agentpr run-agent-step --run-id run_inspect --prompt-file <path>']);
    expect(v.warnings[0]).toMatch(/^2 preflight attempts/);
    expect(v.warnings[1]).toMatch(/^the agent step takes 96\.77% of all step time/);
    expect(v.timing).toMatchObject({ step_attempt_count: 3, total_step_duration_ms: 62_000 });
    expect(v.timing.step_totals.map((t) => [t.step, t.attempts, t.total_duration_ms])).toEqual([
      ['agent', 1, 60_000],
      ['preflight', 2, 2000],
    ]);
    expect(v.timing.attempts[2]).toMatchObject({ step: 'agent', grade: 'HUMAN_REVIEW', reason_code: 'agent_reported_needs_review', stderr_tail: 'warn: x' });
    expect(v.events.items.map((e) => e.event_type)).toEqual(['command.run.create', 'command.start.discovery']);
    expect(Object.keys(v.events.items[0]!.payload as object)).toEqual(['budget', 'mode', 'owner', 'prompt_version', 'repo', 'run_id', 'workspace_dir']);
    expect(v.latest_agent_runtime).toMatchObject({ grade: 'HUMAN_REVIEW', reason_code: 'agent_reported_needs_review', command_sample_count: 62, test_command_count: 0 });
    expect((v.latest_agent_runtime!.command_sample as string[]).length).toBe(5);
    const preview = v.latest_agent_runtime!.last_message_preview as string;
    expect(preview.split('\n')).toHaveLength(10);
    expect(readFileSync(v.latest_agent_runtime!.last_message_path as string, 'utf8').trimEnd().endsWith(preview)).toBe(true);
    expect(v.latest_run_digest).toMatchObject({ grade: 'HUMAN_REVIEW', state_before: 'DISCOVERY', recommended_action: 'human_review', top_step: 'agent' });
    expect(v.latest_manager_insight!.preview).toContain('## Prompt and skill hints');
  });

  it('inspectRun turns a missing report file into a warning and refuses an unknown run', async () => {
    const ctx = await context(kind);
    await newRun(ctx, 'run_gone');
    await addArtifact(ctx.db, { runId: 'run_gone', type: 'run_digest', uri: join(ctx.paths.reportsDir, 'missing.json') }, ctx.clock);
    const v = await inspectRun(ctx, { runId: 'run_gone' });
    expect(v.latest_run_digest).toBeNull();
    expect(v.warnings).toEqual([`latest run digest ${join(ctx.paths.reportsDir, 'missing.json')}: not found`]);
    await expect(inspectRun(ctx, { runId: 'run_nope' })).rejects.toMatchObject({ code: 'run_not_found' });
  });

  it('runBottlenecks ranks steps by average duration and runs by total, and counts each step\'s attempts per engine', async () => {
    const ctx = await context(kind);
    const usage = (engine: string) => ({ engine, model: null, inputTokens: null, cachedInputTokens: null, outputTokens: null, reasoningTokens: null });
    const runs = [['run_a', [[100, 'codex'], [300, 'claude']]], ['run_b', [[5000, 'claude']]], ['run_c', []]] as const;
    for (const [runId, agent] of runs) {
      await newRun(ctx, runId);
      for (const [d, engine] of agent) await recordAttempt(ctx.db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: d, usage: usage(engine) }, ctx.clock);
      await recordAttempt(ctx.db, { runId, step: 'preflight', succeeded: true, stdout: '', stderr: '', durationMs: 50 }, ctx.clock);
    }
    const r = await runBottlenecks(ctx, { limit: 2 });
    expect([r.scanned_runs, r.analyzed_runs]).toEqual([2, 2]);
    expect(r.slowest_runs.map((s) => s.run_id)).toEqual(['run_b', 'run_c']);
    const all = await runBottlenecks(ctx, {});
    expect(all.step_bottlenecks).toEqual([
      { step: 'agent', samples: 3, avg_duration_ms: 1800, median_duration_ms: 300, p90_duration_ms: 4060, max_duration_ms: 5000, engines: { codex: 1, claude: 2 } },
      { step: 'preflight', samples: 3, avg_duration_ms: 50, median_duration_ms: 50, p90_duration_ms: 50, max_duration_ms: 50, engines: {} },
    ]);
    expect(all.slowest_runs[0]).toMatchObject({ run_id: 'run_b', owner: 'mem0ai', repo: 'mem0', state: 'QUEUED', total_step_duration_ms: 5050, top_step: 'agent', top_step_duration_ms: 5000 });
  });

  it('skillsMetrics and skillsFeedback count reports per grade, reason and skill and write the feedback files', async () => {
    const ctx = await context(kind);
    await newRun(ctx, 'run_s1');
    const plan = { mode: 'agentpr', run_state: 'IMPLEMENTING', required_now: ['agentpr-implement-and-validate'], available_optional: [], missing_required: [] };
    await recordAgentAttempt(ctx, 'run_s1', 'calib_dexter_20260225_r2_agent_events_20260225T010156572938Z.jsonl', { stage: 'IMPLEMENTING', skills: plan });
    await recordAgentAttempt(ctx, 'run_s1', 'calib_dexter_20260225_r2_agent_events_20260225T010449205273Z.jsonl', { stage: 'IMPLEMENTING', skills: plan });
    await recordAgentAttempt(ctx, 'run_s1', 'calib_mem0_20260225_r2_agent_events_20260225T005934988847Z.jsonl', { stage: 'IMPLEMENTING', skills: { ...plan, missing_required: ['agentpr-ci-review-fix'] } });
    await recordAgentAttempt(ctx, 'run_s1', 'run_policy_smoke_20260224_agent_events_20260225T001601002465Z.jsonl', { stage: 'IMPLEMENTING' });
    await addArtifact(ctx.db, { runId: 'run_s1', type: 'agent_runtime_report', uri: join(ctx.paths.reportsDir, 'gone.json') }, ctx.clock);

    const m = await skillsMetrics(ctx, {});
    expect([m.scanned_artifacts, m.parsed_reports]).toEqual([5, 4]);
    expect(m.failures).toEqual([{ run_id: 'run_s1', artifact_id: expect.any(Number), error: `not found: ${join(ctx.paths.reportsDir, 'gone.json')}` }]);
    expect(m.grade_counts).toEqual({ HUMAN_REVIEW: 3, PASS: 1 });
    expect(m.reason_code_counts).toEqual({ missing_test_evidence: 1, runtime_success: 1, test_command_failed: 2 });
    expect(m.mode_counts).toEqual({ off: 1, agentpr: 3 });
    expect(m.missing_required_counts).toEqual({ 'agentpr-ci-review-fix': 1 });
    expect(m.per_skill).toEqual([{ skill: 'agentpr-implement-and-validate', samples: 3, grades: { PASS: 1, HUMAN_REVIEW: 2 }, reasons: { runtime_success: 1, test_command_failed: 2 }, states: { IMPLEMENTING: 3 }, runs: ['run_s1'] }]);
    expect(m.latest[0]).toMatchObject({ run_id: 'run_s1', skills_mode: 'off', run_state: null, attempt_no: 4 });

    const f = await skillsFeedback(ctx, { minSamples: 3 });
    expect(f.input_summary).toEqual({
      parsed_reports: 4,
      pass_count: 1,
      retryable_count: 0,
      human_review_count: 3,
      pass_rate_pct: 25,
      retryable_rate_pct: 0,
      human_review_rate_pct: 75,
    });
    expect(f.top_reasons).toEqual([
      { reason_code: 'test_command_failed', count: 2 },
      { reason_code: 'missing_test_evidence', count: 1 },
      { reason_code: 'runtime_success', count: 1 },
    ]);
    expect(f.actions.map((a) => a.id)).toEqual(['prompt-impl-test-evidence', 'policy-known-baseline-failures', 'skills-install-integrity', 'skill-tune-agentpr-implement-and-validate']);
    expect(f.actions[2]!.trigger).toBe('missing_required_counts=agentpr-ci-review-fix');
    expect(f.low_pass_skills).toEqual([{ skill: 'agentpr-implement-and-validate', samples: 3, pass_rate_pct: 33.33, dominant_reason: 'test_command_failed', dominant_reason_count: 2 }]);
    expect(f.suggested_versions).toEqual({ prompt_version: 'auto-prompt-20260225', skills_bundle_version: 'auto-skills-20260225' });
    expect(f.report_path).toBe(join(ctx.paths.reportsDir, 'skills_feedback_20260225T004707861000Z.json'));
    const written = JSON.parse(readFileSync(f.report_path, 'utf8')) as Record<string, unknown>;
    expect(written.report_path).toBeUndefined();
    expect(written.actions).toEqual(f.actions);
    expect(readFileSync(f.markdown_path, 'utf8')).toContain('1. **[high] prompt-impl-test-evidence**');
    const again = await skillsFeedback(ctx, {});
    expect(again.report_path).toBe(join(ctx.paths.reportsDir, 'skills_feedback_20260225T004707861000Z-2.json'));
  });

  it('skillsFeedback gives the Markdown the JSON report\'s stamp even when the writer\'s clock ticks between the files', async () => {
    const ctx = await context(kind);
    let tick = 0;
    const ticking = { ...ctx, artifacts: testArtifactWriter(() => new Date(NOW.getTime() + tick++)) };
    const f = await skillsFeedback(ticking, {});
    expect(f.report_path).toBe(join(ctx.paths.reportsDir, 'skills_feedback_20260225T004707861000Z.json'));
    expect(f.markdown_path).toBe(join(ctx.paths.reportsDir, 'skills_feedback_20260225T004707861000Z.md'));
    expect(readdirSync(ctx.paths.reportsDir).sort()).toEqual(['skills_feedback_20260225T004707861000Z.json', 'skills_feedback_20260225T004707861000Z.md']);
  });

  it('skillsFeedback with no reports says so and still writes its files', async () => {
    const ctx = await context(kind);
    const f = await skillsFeedback(ctx, { runId: 'run_none' });
    expect(f.actions).toEqual([]);
    expect(readFileSync(f.markdown_path, 'utf8')).toContain('No actions generated; keep sampling runs.');
    expect(readFileSync(f.markdown_path, 'utf8')).toContain('for run run_none');
  });
});
