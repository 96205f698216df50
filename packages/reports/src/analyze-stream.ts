import { basename } from 'node:path';
import { effectivePolicy, loadPolicy, type EffectivePolicy } from '@agentpr/policy';
import {
  analyzeEventStream,
  buildRunDigest,
  buildStageSnapshot,
  classifyAttempt,
  renderManagerInsight,
  RuntimeAnalysisError,
  type BaselineTests,
  type Classification,
  type EvidenceItem,
  type FailingTest,
  type RunDigest,
  type StreamAnalysis,
} from '@agentpr/runtime-analysis';
import { isRunState, RUN_STATES } from '@agentpr/state-machine';
import { ReportError } from './errors.js';
import { policyError } from './policy-error.js';
import type { ReportContext } from './report-context.js';
import { readBaselineFile } from './read-baseline-file.js';
import { readTail } from './report-files.js';

/** Input of {@link analyzeStream} (`agentpr analyze FILE [--stage S] [--policy-file P] [--repo owner/name]`). */
export interface AnalyzeStreamInput {
  /** The event stream file (JSONL stdout of the agent). */
  file: string;
  /** The run state the attempt ran in; decides whether test evidence is required. Default `IMPLEMENTING`. */
  stage?: string;
  /** The manager policy file; default `ctx.paths.policyFile` (missing → built-in defaults). */
  policyFile?: string;
  /** `owner/name`, to apply that repository's overrides (budgets, allowlist). */
  repo?: string;
  /** The agent process's exit status (`--exit-code`); default: inferred from the stream (turn.completed → 0, turn.failed → 1, …). */
  agentExit?: number;
  /** codex's stderr, for the failure text and the text fallback. */
  stderrFile?: string;
  /** The workspace the agent ran in, to judge `file_change` paths. */
  workspaceDir?: string;
  allowAgentPush?: boolean;
  timedOut?: boolean;
  /** run-prepare's `baseline_tests` artefact: failing tests named there count as failing before the agent. */
  baselineFile?: string;
}

/** What `agentpr analyze` prints. */
export interface AnalyzeStreamResult {
  ok: true;
  file: string;
  format: string;
  stage: string;
  grade: Classification['grade'];
  reason_code: Classification['reason_code'];
  next_action: Classification['next_action'];
  /** The commands and facts that decided the verdict, with 1-based line numbers. */
  evidence: EvidenceItem[];
  details: Record<string, unknown>;
  /** The agent's exit status the verdict was judged with (given, inferred from the stream, or assumed 0). */
  exit_code: number | null;
  /** Where the agent's exit status came from: `--exit-code` or how it was inferred from the stream. */
  exit_code_source: string;
  policy: { path: string; loaded: boolean; repo: string | null; thresholds: Pick<EffectivePolicy, 'max_changed_files' | 'max_added_lines' | 'max_retryable_attempts' | 'min_test_commands'>; allowlist: string[] };
  signals: Pick<StreamAnalysis, 'test_commands' | 'failed_test_commands' | 'waived_test_failures' | 'git_commands' | 'safety_violations' | 'hidden_failures' | 'agent_status'> & {
    malformed_lines: StreamAnalysis['summary']['malformed_lines'];
    unknown_event_type_counts: Record<string, number>;
  };
  digest: RunDigest;
  /** The failing tests the stream's unresolved test failures name, each marked failing before the agent or not. */
  failing_tests: FailingTest[];
  /** The baseline the verdict compared with (`--baseline-file`), or null. */
  baseline: (BaselineTests & { file: string }) | null;
  /** The manager insight Markdown for this digest. */
  insight: string;
  warnings: string[];
}

function parseRepo(repo: string | undefined): { owner: string; name: string } | undefined {
  if (repo === undefined) return undefined;
  const m = /^\s*([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\s*$/.exec(repo);
  if (!m) throw new ReportError('usage', `--repo must be owner/name (e.g. mem0ai/mem0), got ${JSON.stringify(repo)}`);
  return { owner: m[1]!, name: m[2]! };
}

/**
 * Analyses any agent event stream file without a run (`agentpr analyze`): verdict, reason, next action, the
 * evidence that decided it (commands with line numbers), a digest and an insight, judged with the policy's
 * thresholds for `--repo`, and the failing tests it names (compared with run-prepare's baseline when `baselineFile`
 * is given). Reads the file in bounded memory. Writes nothing.
 *
 * @example
 * const r = await analyzeStream(ctx, { file: 'events.jsonl', stage: 'LOCAL_VALIDATING', repo: 'virattt/dexter' });
 * r.grade; r.reason_code; r.evidence[0].note; // 'line 21: `bun run typecheck` exit 2, never re-run successfully …'
 */
export async function analyzeStream(ctx: Pick<ReportContext, 'clock' | 'paths'>, input: AnalyzeStreamInput): Promise<AnalyzeStreamResult> {
  const stage = (input.stage ?? 'IMPLEMENTING').trim().toUpperCase();
  if (!isRunState(stage)) throw new ReportError('usage', `--stage must be a run state (${RUN_STATES.join(', ')}), got ${JSON.stringify(input.stage)}`);
  const repo = parseRepo(input.repo);
  if (input.agentExit !== undefined && !Number.isInteger(input.agentExit)) throw new ReportError('usage', `--exit-code must be an integer, got ${input.agentExit}`);
  const policyPath = input.policyFile ?? ctx.paths.policyFile;
  const loaded = await loadPolicy(policyPath);
  if (!loaded.ok) throw policyError(loaded.error);
  const eff = effectivePolicy(loaded.policy, repo?.owner ?? '', repo?.name ?? '');

  const baseline = input.baselineFile !== undefined ? readBaselineFile(input.baselineFile) : null;
  let stderr = '';
  if (input.stderrFile !== undefined) {
    const t = readTail(input.stderrFile);
    if (t === undefined) throw new ReportError('not_found', `cannot read --stderr-file ${input.stderrFile}; pass a readable file or leave the flag out`);
    stderr = t;
  }

  let analysis: StreamAnalysis;
  try {
    analysis = await analyzeEventStream(input.file, {
      allowlist: eff.known_test_failure_allowlist,
      ...(input.workspaceDir ? { workspaceDir: input.workspaceDir, tmpDirs: [`${input.workspaceDir.replace(/\/+$/, '')}/.agentpr_runtime/tmp`] } : {}),
      stderr,
    });
  } catch (err) {
    if (err instanceof RuntimeAnalysisError) throw new ReportError('not_found', `${err.message}; pass the path of an agent event stream (JSONL)`, { cause: err });
    throw err;
  }

  const inferred = analysis.inferred_exit_code;
  const agentExit = input.agentExit ?? inferred.exit_code ?? 0;
  const exitSource = input.agentExit !== undefined ? '--exit-code' : inferred.exit_code === null ? `${inferred.source}; assumed 0` : `inferred: ${inferred.source}`;
  const classification = classifyAttempt({
    stage,
    agentExit,
    timedOut: input.timedOut ?? false,
    stderr,
    analysis,
    preflight: null,
    diff: null,
    allowAgentPush: input.allowAgentPush ?? false,
    maxChangedFiles: eff.max_changed_files,
    maxAddedLines: eff.max_added_lines,
    maxRetryableAttempts: eff.max_retryable_attempts,
    minTestCommands: eff.min_test_commands,
    retryableStreak: 1,
    attemptNo: 1,
    baseline,
  });
  const digest = buildRunDigest({
    run: { run_id: basename(input.file).replace(/\.jsonl?$/, ''), owner: repo?.owner ?? '', repo: repo?.name ?? '', mode: 'push_only', prompt_version: '', workspace_dir: input.workspaceDir ?? '' },
    stateBefore: stage,
    stateAfter: stage,
    attempt: { attemptNo: 1, durationMs: 0, agentExit },
    classification,
    skillPlan: null,
    analysis,
    diff: null,
    workspace: null,
    policyUsed: {
      max_changed_files: eff.max_changed_files,
      max_added_lines: eff.max_added_lines,
      min_test_commands: eff.min_test_commands,
      skills_mode: eff.skills_mode,
    },
    stages: buildStageSnapshot([]),
    preflight: null,
    artifacts: { event_stream_path: input.file },
    now: ctx.clock(),
  });
  const warnings = [...loaded.warnings];
  if (analysis.summary.parse_error_count > 0) warnings.push(`${analysis.summary.parse_error_count} malformed line(s), first at line ${analysis.summary.malformed_lines[0]?.line ?? '?'}`);
  const unknown = Object.keys(analysis.summary.unknown_event_type_counts);
  if (unknown.length > 0) warnings.push(`unknown event types (counted, ignored): ${unknown.slice(0, 5).join(', ')}`);
  return {
    ok: true,
    file: input.file,
    format: analysis.summary.format,
    stage,
    grade: classification.grade,
    reason_code: classification.reason_code,
    next_action: classification.next_action,
    evidence: classification.evidence,
    details: classification.details,
    exit_code: agentExit,
    exit_code_source: exitSource,
    policy: {
      path: policyPath,
      loaded: loaded.loaded,
      repo: repo ? `${repo.owner}/${repo.name}` : null,
      thresholds: {
        max_changed_files: eff.max_changed_files,
        max_added_lines: eff.max_added_lines,
        max_retryable_attempts: eff.max_retryable_attempts,
        min_test_commands: eff.min_test_commands,
      },
      allowlist: eff.known_test_failure_allowlist,
    },
    signals: {
      test_commands: analysis.test_commands,
      failed_test_commands: analysis.failed_test_commands,
      waived_test_failures: analysis.waived_test_failures,
      git_commands: analysis.git_commands,
      safety_violations: analysis.safety_violations,
      hidden_failures: analysis.hidden_failures,
      agent_status: analysis.agent_status,
      malformed_lines: analysis.summary.malformed_lines,
      unknown_event_type_counts: analysis.summary.unknown_event_type_counts,
    },
    digest,
    failing_tests: digest.validation.failing_tests,
    baseline: baseline && input.baselineFile !== undefined ? { ...baseline, file: input.baselineFile } : null,
    insight: renderManagerInsight(digest),
    warnings,
  };
}
