import { ENGINE_NAMES } from '@agentpr/policy';
import type { CommandSpec } from '../command.js';
import { choice, flag, int, list, requireStr, str } from '../values.js';
import { renderAgentStep } from './render-agent-step.js';

/** `agentpr run-agent-step`: one agent attempt under guardrails. */
export const command: CommandSpec = {
  name: 'run-agent-step',
  summary: 'Run the coding agent once in the run workspace, judge the attempt and move the run.',
  example: 'agentpr run-agent-step --run-id run_45f3cbdcdc56 --prompt-file prompt.md --codex-sandbox workspace-write',
  gate: 'agent',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    prompt: { type: 'string', value: 'TEXT', description: 'base prompt (or --prompt-file)' },
    'prompt-file': { type: 'string', value: 'PATH', description: 'base prompt file (or --prompt)' },
    'agent-arg': { type: 'string', multiple: true, value: 'ARG', description: 'extra argument for the engine (codex: placed before the prompt marker)' },
    'success-state': { type: 'string', value: 'STATE', description: 'LOCAL_VALIDATING | NEEDS_HUMAN_REVIEW | UNCHANGED (default: policy)' },
    'on-retryable-state': { type: 'string', value: 'STATE', description: 'FAILED_RETRYABLE | NEEDS_HUMAN_REVIEW | UNCHANGED (default: policy)' },
    'on-human-review-state': { type: 'string', value: 'STATE', description: 'NEEDS_HUMAN_REVIEW | FAILED_RETRYABLE | UNCHANGED (default: policy)' },
    'skip-preflight': { type: 'boolean', description: 'skip the repository preflight' },
    'skip-network-check': { type: 'boolean', description: 'no network checks in preflight and the doctor gate' },
    'network-timeout-sec': { type: 'string', value: 'N', description: 'HTTP timeout of the checks (default 5)' },
    'codex-sandbox': { type: 'string', value: 'MODE', description: 'read-only | workspace-write | danger-full-access (default: policy)' },
    engine: { type: 'string', value: 'ENGINE', choices: ENGINE_NAMES, description: 'codex | claude: the coding-agent CLI (default: policy, per repository and stage)' },
    model: { type: 'string', value: 'NAME', description: 'the model, for whichever engine runs (default: --codex-model for codex, run_agent_step.claude.model for claude)' },
    'codex-model': { type: 'string', value: 'SLUG', description: 'passed to codex as --model' },
    'no-codex-full-auto': { type: 'boolean', description: 'accepted for compatibility; no effect (--full-auto is never passed)' },
    'max-agent-seconds': { type: 'string', value: 'N', description: 'time limit, 0 = none (default: policy)' },
    'allow-agent-push': { type: 'boolean', description: 'give the agent a GitHub token so it can push (only where the policy grants allow_agent_push for the repository; audited)' },
    'allow-read-path': { type: 'string', multiple: true, value: 'PATH', description: 'extra read-only context path (kept only if it exists)' },
    'max-changed-files': { type: 'string', value: 'N', description: 'diff budget, 0 = off (default: policy)' },
    'max-added-lines': { type: 'string', value: 'N', description: 'diff budget, 0 = off (default: policy)' },
    'max-retryable-attempts': { type: 'string', value: 'N', description: 'retry cap, 0 = off (default: policy)' },
    'min-test-commands': { type: 'string', value: 'N', description: 'required successful test commands (default: policy)' },
    'allow-dirty-worktree': { type: 'boolean', description: 'do not refuse a workspace with local changes' },
    'skills-mode': { type: 'string', value: 'MODE', description: 'off | agentpr (default: policy)' },
    'allow-missing-skills': { type: 'boolean', description: 'run in agentpr mode even when required skills are missing' },
    'task-packet-file': { type: 'string', value: 'PATH', description: 'attached to the task packet as user_packet (agentpr mode)' },
    isolation: { type: 'string', value: 'LEVEL', choices: ['bwrap', 'none'], description: 'bwrap (sandbox, the default) | none (no confinement: explicit, warned on every step) (default: policy)' },
    network: { type: 'string', value: 'MODE', choices: ['allowlist', 'on', 'off'], description: 'allowlist (egress proxy, the default) | on | off (default: policy)' },
  },
  async run(ctx, values) {
    const engine = choice(values, 'engine', ENGINE_NAMES);
    const isolation = choice(values, 'isolation', ['bwrap', 'none'] as const);
    const network = choice(values, 'network', ['allowlist', 'on', 'off'] as const);
    const { runAgentStep, agentStepOutcome } = await import('@agentpr/orchestrator');
    const app = await ctx.app();
    const live = (ctx.stderr as NodeJS.WriteStream).isTTY === true;
    const result = await runAgentStep(app, {
      runId: requireStr(values, 'run-id'),
      prompt: str(values, 'prompt'),
      promptFile: str(values, 'prompt-file'),
      agentArgs: list(values, 'agent-arg'),
      successState: str(values, 'success-state'),
      onRetryableState: str(values, 'on-retryable-state'),
      onHumanReviewState: str(values, 'on-human-review-state'),
      skipPreflight: flag(values, 'skip-preflight'),
      skipNetworkCheck: flag(values, 'skip-network-check'),
      networkTimeoutSec: int(values, 'network-timeout-sec', { min: 1 }),
      codexSandbox: str(values, 'codex-sandbox'),
      codexModel: str(values, 'codex-model'),
      engine,
      model: str(values, 'model'),
      maxAgentSeconds: int(values, 'max-agent-seconds', { min: 0 }),
      allowAgentPush: flag(values, 'allow-agent-push'),
      allowReadPaths: list(values, 'allow-read-path'),
      maxChangedFiles: int(values, 'max-changed-files', { min: 0 }),
      maxAddedLines: int(values, 'max-added-lines', { min: 0 }),
      maxRetryableAttempts: int(values, 'max-retryable-attempts', { min: 0 }),
      minTestCommands: int(values, 'min-test-commands', { min: 0 }),
      allowDirtyWorktree: flag(values, 'allow-dirty-worktree'),
      skillsMode: str(values, 'skills-mode'),
      allowMissingSkills: flag(values, 'allow-missing-skills'),
      taskPacketFile: str(values, 'task-packet-file'),
      isolation,
      network,
      signal: ctx.signal,
      onProgress: live
        ? (p) => {
          // The command is the agent's text: control characters (terminal escapes) never reach the operator's terminal.
          const now = p.currentCommand ? ` running: ${p.currentCommand.slice(0, 60).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')}` : '';
          ctx.stderr.write(`\r\x1b[2K agent ${Math.round(p.elapsedMs / 1000)}s · ${p.commands} commands · ${p.tokens} tokens${now}`);
        }
        : undefined,
    });
    if (live) ctx.stderr.write('\r\x1b[2K');
    return renderAgentStep(result, agentStepOutcome(result));
  },
};
