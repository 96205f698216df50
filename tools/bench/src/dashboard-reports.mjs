// Agent attempts for the dashboard benchmark, recorded the way run-agent-step records them: the attempt
// (recordAttempt, with its verdict and token usage), then the runtime report, run digest and manager insight built by
// the built @agentpr/runtime-analysis from a real captured codex stream (tools/fixtures), written under
// the reports dir and registered as artefacts (orchestrator/src/agent/reports.ts). The run page reads these files.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..', '..');
const ra = await import(join(root, 'packages', 'runtime-analysis', 'dist', 'index.js'));
const store = await import(join(root, 'packages', 'store', 'dist', 'index.js'));

const EVENTS_DIR = join(root, 'tools', 'fixtures', 'codex-events');
const CAPTURES_DIR = join(root, 'tools', 'fixtures', 'codex-0.169-captures');
const BUDGETS = { maxChangedFiles: 8, maxAddedLines: 150, maxRetryableAttempts: 3, minTestCommands: 1 };
const POLICY_USED = { max_changed_files: 8, max_added_lines: 150, min_test_commands: 1, skills_mode: 'off' };

/** The captured streams (both vendored sets), each analysed once: the analysis is pure, attempts of a stream share it. */
const STREAMS = [EVENTS_DIR, ...readdirSync(CAPTURES_DIR).map((d) => join(CAPTURES_DIR, d))].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { name, text, analysis: ra.analyzeEventText(text) };
    }),
);

/** The ways an attempt may end: a stream and the agent's exit (0, 1, or killed by the timeout). */
const ENDINGS = [
  { agentExit: 0, timedOut: false },
  { agentExit: 1, timedOut: false },
  { agentExit: 124, timedOut: true },
];
const variants = new Map();

/**
 * The attempts whose real classification (for `stage`) has grade `want`, computed once per stage: the bench asks for a
 * verdict and gets a captured stream that the classifier really grades so.
 */
function variantsFor(stage, want) {
  const key = `${stage}:${want}`;
  if (!variants.has(key)) {
    const found = [];
    STREAMS.forEach((s, i) => {
      for (const end of ENDINGS) {
        const classification = ra.classifyAttempt({ stage, ...end, analysis: s.analysis, diff: diffFor(i), ...BUDGETS });
        if (classification.grade === want) found.push({ stream: s, index: i, ...end, classification });
      }
    });
    if (found.length === 0) throw new Error(`no captured stream is graded ${want} at ${stage}`);
    variants.set(key, found);
  }
  return variants.get(key);
}

function diffFor(k) {
  const files = ['src/index.ts', 'src/client.ts', 'README.md', 'package.json', 'test/client.test.ts'].slice(0, 1 + (k % 5));
  return {
    changed_files: files,
    changed_files_count: files.length,
    untracked_files: [],
    untracked_files_count: 0,
    ignored_files: [],
    ignored_files_count: 0,
    added_lines: 12 + 7 * k,
    deleted_lines: 3 + k,
    baseline: 'b'.repeat(40),
  };
}

/**
 * Records one agent attempt of `run` whose real verdict is `want` (PASS, RETRYABLE or HUMAN_REVIEW), from the `k`-th
 * captured stream the classifier grades so. `logBytes` caps the stored stdout tail (the store keeps at most 64 KiB;
 * the bulk templates keep 4 KiB so that 100k cloned runs stay a realistic size). Returns the verdict.
 */
export async function recordAgentAttempt(db, reportsDir, run, { stage, stateAfter, want, k = 0, clock, logBytes = 64 * 1024 }) {
  const choices = variantsFor(stage, want);
  const { stream: s, index, agentExit, timedOut, classification } = choices[k % choices.length];
  const durationMs = timedOut ? 1_800_000 : 60_000 + (index % 7) * 45_000;
  const usage = { engine: 'codex', model: 'gpt-5-codex', inputTokens: 90_000 + index * 1_000, cachedInputTokens: 50_000, outputTokens: 6_000, reasoningTokens: 2_000 };
  const attempt = await store.recordAttempt(
    db,
    {
      runId: run.runId,
      step: 'agent',
      succeeded: agentExit === 0,
      processExit: agentExit,
      stdout: s.text.slice(-logBytes),
      stderr: agentExit === 0 ? 'codex: reading prompt from stdin\n' : 'codex: stream disconnected before completion\n',
      durationMs,
      grade: classification.grade,
      reasonCode: classification.reason_code,
      stage,
      usage,
    },
    clock,
  );
  const now = clock();
  mkdirSync(reportsDir, { recursive: true, mode: 0o700 });
  const stamp = `${now.toISOString().replace(/[-:.]/g, '')}-${attempt.attempt_no}`;
  const write = (name, suffix, text) => {
    const path = join(reportsDir, `${run.runId}_${name}_${stamp}${suffix}`);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const lastMessage = write('last_message', '.txt', `${s.analysis.last_agent_message ?? ''}\n`);
  const eventStream = { path: '', retained: classification.grade !== 'PASS', reason: classification.grade === 'PASS' ? 'pass_sampled_out' : 'non_pass' };
  const agent = { agentExit, durationMs, timedOut, interrupted: false };
  const workspace = { head_sha: 'c'.repeat(40), tree_sha: 'd'.repeat(40), baseline_sha: 'b'.repeat(40) };
  const runtime = { attempt_no: attempt.attempt_no, skills_mode: 'off', codex_model: 'gpt-5-codex', event_stream_path: '', last_message_path: lastMessage };
  const report = ra.buildRuntimeReport({
    runId: run.runId, agent, runtime, workspace, sandbox: null, preflight: null, analysis: s.analysis, diff: diffFor(index), eventStream, classification, now,
  });
  const reportPath = write('agent_runtime', '.json', `${JSON.stringify(report, null, 2)}\n`);
  await store.addArtifact(db, { runId: run.runId, type: 'agent_runtime_report', uri: reportPath, metadata: ra.runtimeReportMetadata(report, eventStream) }, clock);
  const attempts = (await store.listAttempts(db, run.runId, { limit: 600 })).reverse();
  const digest = ra.buildRunDigest({
    run: { run_id: run.runId, owner: run.owner, repo: run.repo, mode: run.mode, prompt_version: run.promptVersion, workspace_dir: run.workspaceDir },
    stateBefore: stage,
    stateAfter,
    attempt: { attemptNo: attempt.attempt_no, durationMs, agentExit },
    classification,
    skillPlan: null,
    analysis: s.analysis,
    diff: diffFor(index),
    workspace,
    policyUsed: POLICY_USED,
    stages: ra.buildStageSnapshot(attempts),
    preflight: null,
    artifacts: { agent_report_path: reportPath, event_stream_path: '', last_message_path: lastMessage },
    now,
  });
  const digestPath = write('run_digest', '.json', `${JSON.stringify(digest, null, 2)}\n`);
  const verdict = { grade: classification.grade, reason_code: classification.reason_code, state_after: stateAfter };
  await store.addArtifact(db, { runId: run.runId, type: 'run_digest', uri: digestPath, metadata: { ...verdict, attempt_no: attempt.attempt_no } }, clock);
  const insightPath = write('manager_insight', '.md', ra.renderManagerInsight(digest));
  await store.addArtifact(db, { runId: run.runId, type: 'manager_insight', uri: insightPath, metadata: verdict }, clock);
  return classification.grade;
}

/** Records steps that run no agent (prepare, preflight, finish, pr_create), as the use cases record them. */
export async function recordSteps(db, runId, clock, steps) {
  for (const [step, ms, ok = true] of steps) {
    await store.recordAttempt(db, { runId, step, succeeded: ok, stdout: `${step} done\n`, stderr: ok ? '' : `${step} failed\n`, durationMs: ms }, clock);
  }
}
