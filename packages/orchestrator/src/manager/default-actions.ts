import { existsSync } from 'node:fs';
import { requireRun } from '@agentpr/store';
import type { IsolationLevel } from '@agentpr/codex-runner';
import type { EngineName, NetworkMode } from '@agentpr/policy';
import { runAgentStep } from '../agent/run-agent-step.js';
import { agentStepOutcome, type RunAgentStepResult } from '../agent/agent-step-result.js';
import { AgentprError } from '../errors.js';
import { syncGithub } from '../github-sync/sync-github.js';
import { syncFailures } from '../github-sync/sync-report.js';
import { finishRun } from '../workspace/finish-run.js';
import { prepareRun } from '../workspace/prepare-run.js';
import { attempt, type ActionDetail, type ActionOutcome, type ManagerActions } from './actions.js';
import { contractFromLastMessage } from './contract-message.js';
import { prePushCheck } from './pre-push-check.js';
import { requestPrForRun } from './request-pr.js';

/** How the manager runs the heavy use cases (CLI flags of manager-tick / run-manager-loop / drive). */
export interface ManagerActionConfig {
  promptFile?: string | undefined;
  skillsMode?: string | undefined;
  codexSandbox?: string | undefined;
  agentArgs?: string[];
  /** `--engine`: every agent step runs this engine; undefined lets each run's policy choose (per repository and stage). */
  engine?: EngineName | undefined;
  /** `--isolation`; undefined takes the policy's (bubblewrap unless the operator chose none). */
  isolation?: IsolationLevel | undefined;
  /** `--network`; undefined takes the policy's (the allowlisting egress proxy). */
  network?: NetworkMode | undefined;
  skipNetworkCheck?: boolean;
  /** `--changes`: the commit body text of run-finish. */
  changes: string;
  commitTitle?: string | undefined;
  /** `--upstream-url`: clone URL template with `{owner}` and `{repo}` (default GitHub). */
  upstreamUrl?: string | undefined;
  /** `--fork-url`: push URL template with `{owner}`, `{repo}` and `{fork_owner}`. */
  forkUrl?: string | undefined;
  forkOwner?: string | undefined;
}

function fill(template: string | undefined, values: Record<string, string>): string | undefined {
  if (!template) return undefined;
  return template.replace(/\{(owner|repo|fork_owner)\}/g, (_, k: string) => values[k] ?? '');
}

/** The manager's outcome of a run-prepare or run-finish result. */
function workspaceOutcome(detail: Extract<ActionDetail, { step: 'prepare' | 'finish' }>): ActionOutcome {
  const result = detail.result;
  switch (result.kind) {
    case 'prepared':
    case 'pushed':
      return { kind: 'done', detail };
    case 'failed':
      return { kind: 'failed', code: 'script_failed', error: result.error, detail };
    case 'held':
      return { kind: 'failed', code: result.reason, error: result.error, detail };
    case 'gated':
      // A blocked or skipped run moved (decide sees it); a held one (GitHub could not be asked) failed this time.
      return result.outcome === 'held' ? { kind: 'failed', code: 'gate_held', error: result.message, detail } : { kind: 'done', detail };
  }
}

/** The manager's outcome of an agent step, from its pass/fail view. */
function agentOutcome(result: RunAgentStepResult): ActionOutcome {
  const detail: ActionDetail = { step: 'agent', result };
  const outcome = agentStepOutcome(result);
  return outcome.ok ? { kind: 'done', detail } : { kind: 'failed', code: 'agent_step_failed', error: outcome.error, detail };
}

/** The manager's use cases, wired to the real prepare, agent step, finish, PR request and GitHub sync. */
export function defaultManagerActions(config: ManagerActionConfig): ManagerActions {
  return {
    runPrepare: (ctx, runId) =>
      attempt(async () => {
        const { run } = await requireRun(ctx.db, runId);
        const forkOwner = config.forkOwner ?? ctx.env.AGENTPR_FORK_OWNER?.trim() ?? '';
        const values = { owner: run.owner, repo: run.repo, fork_owner: forkOwner };
        const result = await prepareRun(ctx, {
          runId,
          upstreamUrl: fill(config.upstreamUrl, values),
          forkUrl: fill(config.forkUrl, values),
          forkOwner: forkOwner || undefined,
        });
        return workspaceOutcome({ step: 'prepare', result });
      }),
    runAgentStep: (ctx, runId, signal) =>
      attempt(async () => {
        if (!config.promptFile || !existsSync(config.promptFile)) throw new AgentprError('usage', `prompt file not found: ${config.promptFile ?? '(none)'}`);
        const result = await runAgentStep(ctx, {
          runId,
          promptFile: config.promptFile,
          skillsMode: config.skillsMode,
          codexSandbox: config.codexSandbox,
          agentArgs: config.agentArgs ?? [],
          engine: config.engine,
          isolation: config.isolation,
          network: config.network,
          skipNetworkCheck: config.skipNetworkCheck ?? false,
          signal,
        });
        return agentOutcome(result);
      }),
    runFinish: (ctx, runId) =>
      attempt(async () => workspaceOutcome({ step: 'finish', result: await finishRun(ctx, { runId, changes: config.changes, commitTitle: config.commitTitle }) })),
    syncGithub: (ctx, runId) =>
      attempt(async () => {
        const result = await syncGithub(ctx, { runId });
        const detail: ActionDetail = { step: 'sync', result };
        if (result.kind === 'all_synced') return { kind: 'done', detail };
        return { kind: 'failed', code: 'sync_failed', error: syncFailures(result)[0]?.error ?? 'sync-github failed', detail };
      }),
    requestPr: (ctx, runId) => requestPrForRun(ctx, runId),
    prePushCheck: (ctx, runId) => prePushCheck(ctx, runId),
    contractFromLastMessage: (ctx, runId) => contractFromLastMessage(ctx, runId),
  };
}
