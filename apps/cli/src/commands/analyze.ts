import type { CommandSpec } from '../command.js';
import { clip } from '../render.js';
import { flag, int, requireStr, str } from '../values.js';

/** The failing tests, one line each with where they come from and the first line of their excerpt (at most 10). */
function failingTestsText(tests: ReadonlyArray<{ name: string; excerpt: string; before_agent: boolean }>, withBaseline: boolean): string[] {
  if (tests.length === 0) return [];
  const lines = tests.slice(0, 10).map((t) => {
    const first = t.excerpt.split('\n').find((l) => l.trim() !== '') ?? '';
    const origin = t.before_agent ? 'failing before the agent' : withBaseline ? 'broken by the agent' : 'failing';
    return `  - ${clip(t.name, 120)} (${origin})${first ? `: ${clip(first, 160)}` : ''}`;
  });
  if (tests.length > 10) lines.push(`  … and ${tests.length - 10} more`);
  return ['failing tests:', ...lines];
}

/** `agentpr analyze`: verdict, reason, evidence and digest for any agent event stream file, without a run. */
export const command: CommandSpec = {
  name: 'analyze',
  summary: 'Judge an agent event stream file: verdict, reason, the commands that decided it, digest.',
  example: 'agentpr analyze events.jsonl --stage LOCAL_VALIDATING --repo virattt/dexter --json',
  positional: 'file',
  options: {
    file: { type: 'string', value: 'PATH', description: 'the event stream (codex --json stdout, legacy codex, or Claude stream-json)', required: true },
    stage: { type: 'string', value: 'STATE', description: 'run state the attempt ran in (default IMPLEMENTING; decides whether test evidence is required)' },
    repo: { type: 'string', value: 'OWNER/NAME', description: "apply this repository's policy overrides (budgets, allowlist)" },
    'exit-code': { type: 'string', value: 'N', description: "codex's exit code (default: inferred from the stream)" },
    'stderr-file': { type: 'string', value: 'PATH', description: "codex's stderr, for the failure text" },
    'workspace-dir': { type: 'string', value: 'PATH', description: 'the workspace the agent ran in, to judge file changes outside it' },
    'allow-agent-push': { type: 'boolean', description: 'the agent was allowed to commit and push' },
    'baseline-file': { type: 'string', value: 'PATH', description: "run-prepare's baseline_tests artefact: tests failing there count as failing before the agent" },
  },
  async run(ctx, values) {
    const { analyzeStream } = await import('@agentpr/reports');
    const agentExit = int(values, 'exit-code');
    const r = await analyzeStream(ctx.base, {
      file: requireStr(values, 'file'),
      ...(str(values, 'stage') !== undefined ? { stage: str(values, 'stage') } : {}),
      ...(str(values, 'repo') !== undefined ? { repo: str(values, 'repo') } : {}),
      ...(agentExit !== undefined ? { agentExit } : {}),
      ...(str(values, 'stderr-file') !== undefined ? { stderrFile: str(values, 'stderr-file') } : {}),
      ...(str(values, 'workspace-dir') !== undefined ? { workspaceDir: str(values, 'workspace-dir') } : {}),
      allowAgentPush: flag(values, 'allow-agent-push'),
      ...(str(values, 'baseline-file') !== undefined ? { baselineFile: str(values, 'baseline-file') } : {}),
    });
    const d = r.digest;
    const text = [
      `${r.grade}  ${r.reason_code}  → ${r.next_action}   (${r.stage}, exit ${r.exit_code ?? '-'} ${r.exit_code_source === '--exit-code' ? 'given' : 'inferred'}, ${r.format})`,
      '',
      'evidence:',
      ...r.evidence.map((e) => `  - ${clip(e.note, 220)}`),
      '',
      `events ${d.events.parsed_event_count} (${d.events.parse_error_count} malformed), command executions ${d.events.command_event_count}, test commands ${d.validation.test_command_count}, failing ${d.validation.failed_test_command_count}${d.validation.waived_test_failures.length ? `, waived ${d.validation.waived_test_failures.length}` : ''}`,
      ...failingTestsText(r.failing_tests, r.baseline !== null),
      `tokens: input ${d.usage.input_tokens ?? 0}, output ${d.usage.output_tokens ?? 0}, cached ${d.usage.cached_input_tokens ?? 0}`,
      `policy: ${r.policy.loaded ? r.policy.path : 'built-in defaults'}${r.policy.repo ? ` for ${r.policy.repo}` : ''}; min tests ${r.policy.thresholds.min_test_commands}`,
      ...r.warnings.map((w) => `warning: ${w}`),
    ].join('\n');
    return { output: r, text };
  },
};
