import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addArtifact, recordAttempt, setAttemptVerdict, type Clock, type Db } from '@agentpr/store';

// The report files run-agent-step writes after an agent attempt (runtime report, run digest, manager insight, the
// agent's last message), in the shapes @agentpr/runtime-analysis builds them, registered as artefacts the way
// orchestrator/src/agent/reports.ts registers them. The seed writes them by hand so the dashboard's tests need no
// codex: inspectRun and the run page read them exactly as they read the real ones.

/** One line of a verdict's evidence (runtime-analysis `EvidenceItem`). */
export interface SeedEvidence {
  line: number | null;
  command: string | null;
  exit_code: number | null;
  note: string;
}

/** An agent attempt to record with its verdict and its reports. */
export interface SeedAgentAttempt {
  runId: string;
  owner: string;
  repo: string;
  /** The run state before the step (the attempt's stage). */
  stage: string;
  /** The run state the verdict moved the run to. */
  stateAfter: string;
  grade: 'PASS' | 'RETRYABLE' | 'HUMAN_REVIEW';
  reasonCode: string;
  nextAction: 'advance' | 'retry' | 'escalate';
  durationMs: number;
  evidence: SeedEvidence[];
  /** The agent's final message (its last_message file). */
  lastMessage: string;
  testCommands: string[];
  failedTestCommands: string[];
  diff: { files: string[]; added: number; deleted: number };
  tokens: { input: number; cached: number; output: number; reasoning: number };
  stderr?: string;
  /** The engine and model that ran it (default codex, gpt-5-codex), recorded on the attempt and in its reports. */
  engine?: { name: 'codex' | 'claude'; model: string };
}

const CODEX = { name: 'codex', model: 'gpt-5-codex' } as const;

/** The files one attempt wrote. */
export interface SeedReportFiles {
  attemptId: number;
  attemptNo: number;
  report: string;
  digest: string;
  insight: string;
  lastMessage: string;
}

function writePrivate(path: string, text: string): string {
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

function diffSummary(d: SeedAgentAttempt['diff']): Record<string, unknown> {
  return {
    changed_files: d.files,
    changed_files_count: d.files.length,
    untracked_files: [],
    untracked_files_count: 0,
    ignored_files: [],
    ignored_files_count: 0,
    added_lines: d.added,
    deleted_lines: d.deleted,
    baseline: 'b'.repeat(40),
  };
}

function classification(a: SeedAgentAttempt): Record<string, unknown> {
  const evidence = a.evidence.map((e, i) => ({ ...e, item_id: `item_${i + 1}` }));
  const details = { failed_test_commands: a.failedTestCommands, failed_test_command_count: a.failedTestCommands.length };
  return { grade: a.grade, reason_code: a.reasonCode, next_action: a.nextAction, evidence, details };
}

/** The runtime section's engine fields as run-agent-step writes them (codex_model stays for codex, for compatibility). */
function engineFields(a: SeedAgentAttempt): Record<string, unknown> {
  const { name, model } = a.engine ?? CODEX;
  return { engine: name, engine_source: 'default', model, codex_model: name === 'codex' ? model : null };
}

function runtimeReport(a: SeedAgentAttempt, attemptNo: number, lastMessagePath: string, now: Date): Record<string, unknown> {
  const commands = [...a.testCommands, 'git status --short', 'rg -n TODO src'];
  return {
    run_id: a.runId,
    created_at: now.toISOString(),
    engine: (a.engine ?? CODEX).name,
    result: { exit_code: 0, duration_ms: a.durationMs, timed_out: false, interrupted: false },
    runtime: { attempt_no: attemptNo, skills_mode: 'off', event_stream_path: '', last_message_path: lastMessagePath, ...engineFields(a) },
    workspace: { head_sha: 'c'.repeat(40), tree_sha: 'd'.repeat(40), baseline_sha: 'b'.repeat(40) },
    sandbox: null,
    preflight: null,
    signals: {
      test_commands: a.testCommands,
      failed_test_commands: a.failedTestCommands,
      commands_sample: commands,
      command_sample_count: commands.length,
      command_categories: { test: a.testCommands.length, vcs: 1, search: 1 },
      agent_event_summary: { parsed_event_count: 40 + attemptNo, command_event_count: commands.length },
      diff: diffSummary(a.diff),
    },
    safety: { violations: [], violation_count: 0 },
    classification: classification(a),
  };
}

function runDigest(a: SeedAgentAttempt, attemptNo: number, paths: { report: string; lastMessage: string }, now: Date): Record<string, unknown> {
  return {
    generated_at: now.toISOString(),
    run: { run_id: a.runId, owner: a.owner, repo: a.repo, mode: 'push_only', prompt_version: 'v1' },
    state: { before: a.stage, after: a.stateAfter },
    attempt: { attempt_no: attemptNo, duration_ms: a.durationMs, exit_code: 0, engine: (a.engine ?? CODEX).name, model: (a.engine ?? CODEX).model },
    classification: classification(a),
    manager_recommendation: { action: a.grade === 'PASS' ? 'advance' : a.grade === 'RETRYABLE' ? 'retry' : 'human_review' },
    stages: { top_step: 'agent', step_attempt_count: attemptNo + 2 },
    diff: diffSummary(a.diff),
    artifacts: { agent_report_path: paths.report, event_stream_path: '', last_message_path: paths.lastMessage },
  };
}

function insight(a: SeedAgentAttempt, attemptNo: number): string {
  return [
    `# Manager insight: ${a.runId} attempt ${attemptNo}`,
    '',
    `- Verdict: ${a.grade} (${a.reasonCode}), ${a.stage} → ${a.stateAfter}`,
    `- Tests run: ${a.testCommands.join(', ') || 'none'}`,
    `- Agent said: ${a.lastMessage.split('\n')[0] ?? ''}`,
    '',
    '## Prompt and skill hints',
    a.grade === 'PASS' ? '- Nothing to change.' : '- Run the failing test command before finishing.',
    '',
  ].join('\n');
}

/**
 * Records an agent attempt (`recordAttempt`, then `setAttemptVerdict` as run-agent-step does after judging), writes
 * its runtime report, run digest, manager insight and last message under `reportsDir`, and registers the three
 * reports as artefacts (`agent_runtime_report`, `run_digest`, `manager_insight`).
 */
export async function seedAgentAttempt(db: Db, reportsDir: string, a: SeedAgentAttempt, clock: Clock): Promise<SeedReportFiles> {
  const now = clock();
  const { name: engine, model } = a.engine ?? CODEX;
  const t = a.tokens;
  const usage = { engine, model, inputTokens: t.input, cachedInputTokens: t.cached, outputTokens: t.output, reasoningTokens: t.reasoning };
  const stdout = `{"type":"thread.started"}\n{"type":"item.completed","item":{"type":"agent_message","text":${JSON.stringify(a.lastMessage)}}}\n`;
  const attempt = await recordAttempt(db, { runId: a.runId, step: 'agent', succeeded: true, processExit: 0, stdout, stderr: a.stderr ?? '', durationMs: a.durationMs, stage: a.stage, usage }, clock);
  await setAttemptVerdict(db, attempt.id, { grade: a.grade, reasonCode: a.reasonCode, stage: a.stage });
  mkdirSync(reportsDir, { recursive: true, mode: 0o700 });
  const stamp = `${now.toISOString().replace(/[-:.]/g, '')}-${attempt.attempt_no}`;
  const lastMessage = writePrivate(join(reportsDir, `${a.runId}_last_message_${stamp}.txt`), `${a.lastMessage}\n`);
  const report = writePrivate(join(reportsDir, `${a.runId}_agent_runtime_${stamp}.json`), `${JSON.stringify(runtimeReport(a, attempt.attempt_no, lastMessage, now), null, 2)}\n`);
  const metadata = {
    exit_code: 0, violations: 0, grade: a.grade, reason_code: a.reasonCode, next_action: a.nextAction,
    parsed_event_count: 40 + attempt.attempt_no, command_event_count: a.testCommands.length + 2, event_stream_retained: a.grade !== 'PASS', event_stream_retention_reason: a.grade === 'PASS' ? 'pass_sampled_out' : 'non_pass',
  };
  await addArtifact(db, { runId: a.runId, type: 'agent_runtime_report', uri: report, metadata }, clock);
  const digest = writePrivate(join(reportsDir, `${a.runId}_run_digest_${stamp}.json`), `${JSON.stringify(runDigest(a, attempt.attempt_no, { report, lastMessage }, now), null, 2)}\n`);
  const verdict = { grade: a.grade, reason_code: a.reasonCode, state_after: a.stateAfter };
  await addArtifact(db, { runId: a.runId, type: 'run_digest', uri: digest, metadata: { ...verdict, attempt_no: attempt.attempt_no } }, clock);
  const insightPath = writePrivate(join(reportsDir, `${a.runId}_manager_insight_${stamp}.md`), insight(a, attempt.attempt_no));
  await addArtifact(db, { runId: a.runId, type: 'manager_insight', uri: insightPath, metadata: verdict }, clock);
  return { attemptId: attempt.id, attemptNo: attempt.attempt_no, report, digest, insight: insightPath, lastMessage };
}
