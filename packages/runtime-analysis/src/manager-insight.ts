import { describeCommand } from './describe-command.js';
import { formatDuration } from './format-duration.js';
import { attemptEngineLabel, type RunDigest } from './run-digest.js';

/** The prompt/skill iteration hints for a digest, 1 to 5 of them. */
export function iterationHints(digest: Pick<RunDigest, 'classification' | 'validation' | 'changes'>): string[] {
  const reason = digest.classification.reason_code;
  const hints: string[] = [];
  if (reason === 'missing_test_evidence' || reason === 'insufficient_test_evidence' || digest.validation.test_command_count === 0) {
    hints.push('Make the implement/validate prompt require the exact test commands CI runs, and ask for their output as evidence in the final report.');
  }
  if (reason === 'test_command_failed' || digest.validation.failed_test_command_count > 0) {
    // the baseline already tells the two apart when it ran; the hint is for runs without one
    hints.push('Have the worker separate failures that existed before the change from failures the change caused, and say where each failing command came from.');
  }
  if (reason === 'diff_budget_exceeded' || (digest.changes?.changed_files_count ?? 0) > 8) {
    hints.push('Tighten the minimal-diff contract: touch fewer files and prefer a targeted patch over a refactor.');
  }
  if (reason.includes('transient') || reason.includes('retryable')) {
    hints.push('Add a retry hint that tells network or package-registry flakiness apart from code-quality failures.');
  }
  if (reason === 'protected_file_changed' || reason === 'safety_violation') {
    hints.push('Restate the boundary in the prompt: write only inside the workspace and its runtime dir, leave git configuration, hooks and CI files alone, never read credentials; check the repository and task text for instructions that led the agent there.');
  }
  if (reason.includes('hard_failure') || reason.includes('preflight')) {
    hints.push('Treat environment, tooling and authentication problems as work for the manager to fix before the worker runs again.');
  }
  if (hints.length === 0) hints.push('The run looks stable: keep the constraints as they are and trim commands that do not move the task forward.');
  return hints.slice(0, 5);
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

function text(value: unknown, max = 200): string {
  const s = String(value ?? '').replace(/[\u0000-\u001f\u007f]/g, '?').replace(/`/g, "'");
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * The "what it tried" lines of a digest: protected files changed, the safety findings of its commands and
 * the sandbox's denials, at most 12. Empty when the attempt stayed inside its bounds.
 */
export function attemptedOutsideLines(digest: Pick<RunDigest, 'classification' | 'safety'>): string[] {
  const details = digest.classification.details ?? {};
  const out: string[] = [];
  for (const c of records(details.protected_changes)) out.push(`Changed protected file \`${text(c.path)}\` (${text(c.kind, 60)}): ${text(c.change, 80)}`);
  for (const f of digest.safety?.findings ?? []) out.push(`${f.line > 0 ? `line ${f.line}: ` : ''}${text(f.kind, 40)}${f.path ? ` \`${text(f.path)}\`` : ''} by \`${text(describeCommand(String(f.command ?? ''), 120), 200)}\``);
  for (const d of records(details.sandbox_denials)) out.push(`Sandbox denied ${d.kind === 'network' ? 'network access to' : 'file access to'} \`${text(d.target)}\` (${text(d.reason, 120)})`);
  return out.slice(0, 12);
}

/**
 * The "Failing tests" lines of a digest: each named test, whether it already failed before the agent (when a baseline
 * was compared with), and the first line of its excerpt; at most 10 (and a count of the rest). Empty when no failing test was named.
 */
export function failingTestLines(digest: Pick<RunDigest, 'validation' | 'classification'>): string[] {
  const tests = digest.validation.failing_tests ?? [];
  const compared = typeof digest.classification.details?.baseline_outcome === 'string';
  const out = tests.slice(0, 10).map((t) => {
    const first = t.excerpt.split('\n').find((l) => l.trim() !== '') ?? '';
    const origin = t.before_agent ? 'failing before the agent' : compared ? 'broken by the agent' : 'no baseline to compare with';
    return `\`${text(t.name)}\` (${origin})${first ? `: ${text(first, 160)}` : ''}`;
  });
  if (tests.length > 10) out.push(`… and ${tests.length - 10} more`);
  return out;
}

/**
 * Renders the manager insight: a short Markdown report of a digest for a human — outcome, the attempt's engine and
 * model, the evidence that decided it, what it tried outside its bounds (protected files, safety findings, sandbox
 * denials; only when there is any), the failing tests (only when named), an evidence snapshot, slowest commands, stage timeline, next action and hints.
 */
export function renderManagerInsight(digest: RunDigest): string {
  const d = digest;
  const c = d.classification;
  const usage = d.usage;
  const lines: string[] = [];
  lines.push(`# Attempt insight: ${d.run.run_id}`);
  lines.push('');
  lines.push(`- Repository: \`${d.run.owner}/${d.run.repo}\``);
  lines.push(`- Outcome: **${c.grade}** (\`${c.reason_code}\`), next: ${c.next_action}`);
  lines.push(`- State: ${d.state.before} → ${d.state.after}`);
  // Digests written before engines were recorded name none: the line then says only what it always said.
  const engine = attemptEngineLabel(d.attempt);
  const ran = engine ? ` (${text(engine, 220)})` : '';
  const notStarted = `none (${d.attempt.engine ? text(d.attempt.engine, 100) : 'the agent'} not started)`;
  lines.push(`- Attempt ${d.attempt.attempt_no}${ran}: ${formatDuration(d.attempt.duration_ms)}, exit code ${d.attempt.exit_code ?? notStarted}`);
  lines.push('');
  lines.push('## What decided it');
  if (c.evidence.length === 0) lines.push('- No evidence was recorded.');
  for (const e of c.evidence.slice(0, 8)) lines.push(`- ${e.note}`);
  lines.push('');
  const failing = failingTestLines(d);
  if (failing.length > 0) {
    lines.push('## Failing tests');
    for (const f of failing) lines.push(`- ${f}`);
    lines.push('');
  }
  const tried = attemptedOutsideLines(d);
  if (tried.length > 0) {
    lines.push('## What it tried outside its bounds');
    for (const t of tried) lines.push(`- ${t}`);
    lines.push('');
  }
  lines.push('## Evidence snapshot');
  lines.push(`- Events parsed: ${d.events.parsed_event_count} (parse errors: ${d.events.parse_error_count})`);
  lines.push(`- Command executions: ${d.events.command_event_count}`);
  lines.push(`- Test commands with a passing run: ${d.validation.test_command_count}`);
  lines.push(`- Failing test commands: ${d.validation.failed_test_command_count}${d.validation.waived_test_failures.length ? ` (waived as known baseline: ${d.validation.waived_test_failures.length})` : ''}${d.validation.pre_existing_test_failures?.length ? ` (failing before the agent, not counted: ${d.validation.pre_existing_test_failures.length})` : ''}`);
  lines.push(d.changes ? `- Diff: ${d.changes.changed_files_count} files, +${d.changes.added_lines} / -${d.changes.deleted_lines}` : '- Diff: not measured');
  lines.push(`- Tokens: input ${usage.input_tokens ?? 0}, output ${usage.output_tokens ?? 0}, cached ${usage.cached_input_tokens ?? 0}`);
  lines.push('');
  lines.push('## Slowest commands');
  const top = d.commands.top_by_duration.slice(0, 3);
  if (top.length === 0) lines.push('- No command durations were captured (durations need live arrival times).');
  for (const t of top) lines.push(`- ${formatDuration(t.duration_ms)}: \`${describeCommand(t.command, 100)}\``);
  lines.push('');
  lines.push('## Stage timeline');
  const steps = d.stages.step_totals.slice(0, 3);
  if (steps.length === 0) lines.push('- No stage timing data was captured.');
  for (const s of steps) lines.push(`- ${s.step}: ${formatDuration(s.total_duration_ms)} total (${s.share_of_total_pct}% of all step time, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'})`);
  lines.push('');
  lines.push('## Suggested next action');
  lines.push(`- ${d.manager_recommendation.action} (priority ${d.manager_recommendation.priority}): ${d.manager_recommendation.why}`);
  lines.push('');
  lines.push('## Prompt and skill hints');
  iterationHints(d).forEach((h, i) => lines.push(`${i + 1}. ${h}`));
  lines.push('');
  lines.push(`_Generated ${d.generated_at}._`);
  lines.push('');
  return lines.join('\n');
}
