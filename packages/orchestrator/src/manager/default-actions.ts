import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { effectivePolicy, loadPolicy } from '@agentpr/policy';
import { checkDigestPayload, evaluateDodGate } from '@agentpr/runtime-analysis';
import { latestArtifact, listAttempts, listArtifacts, requireRun } from '@agentpr/store';
import { diffSummary, workspaceIdentity } from '@agentpr/workspace';
import type { IsolationLevel } from '@agentpr/codex-runner';
import type { NetworkMode } from '@agentpr/policy';
import type { AppContext } from '../context.js';
import { runAgentStep } from '../agent/run-agent-step.js';
import { agentStepOutcome, type RunAgentStepResult } from '../agent/agent-step-result.js';
import { AgentprError } from '../errors.js';
import { syncGithub } from '../github-sync/sync-github.js';
import { syncFailures } from '../github-sync/sync-report.js';
import { finishRun } from '../workspace/finish-run.js';
import { prepareRun } from '../workspace/prepare-run.js';
import { budgetBaseline } from '../workspace/workspace-shared.js';
import { attempt, type ActionDetail, type ActionOutcome, type ContractOutcome, type ManagerActions } from './actions.js';
import { assertWorkspaceInsideRoot } from '../workspace/workspace-containment.js';

/** How the manager runs the heavy use cases (CLI flags of manager-tick / run-manager-loop / drive). */
export interface ManagerActionConfig {
  promptFile?: string | undefined;
  skillsMode?: string | undefined;
  codexSandbox?: string | undefined;
  agentArgs?: string[];
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
  }
}

function isStepResult(r: unknown): r is RunAgentStepResult {
  return typeof r === 'object' && r !== null && 'kind' in r;
}

/** TRANSITIONAL: the pass/fail view of the agent step's old `{exitCode, output}` result; gone when it returns its union. */
function legacyAgentStep(r: { exitCode: number; output: Record<string, unknown> }): { ok: boolean; error?: string; summary: Record<string, unknown> } {
  if (r.exitCode === 0) return { ok: true, summary: r.output };
  const reason = (r.output.classification as { reason_code?: string } | undefined)?.reason_code;
  return { ok: false, error: String(r.output.error ?? r.output.stderr ?? reason ?? 'the agent step failed'), summary: r.output };
}

/** The manager's outcome of an agent step, from its pass/fail view. */
function agentOutcome(step: { ok: boolean; error?: string; summary: Record<string, unknown> }): ActionOutcome {
  const detail: ActionDetail = { step: 'agent', summary: step.summary };
  return step.ok ? { kind: 'done', detail } : { kind: 'failed', code: 'agent_step_failed', error: step.error ?? 'the agent step failed', detail };
}

/** The last JSON object in `text` that has the contract schema's `status` and `repo` keys (SPEC §9.1). */
export function lastContractObject(text: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        try {
          const value = JSON.parse(text.slice(start, i + 1)) as unknown;
          if (value && typeof value === 'object' && 'status' in value && 'repo' in value) found = value as Record<string, unknown>;
        } catch {
          // not JSON; keep scanning
        }
        break;
      }
    }
  }
  return found;
}

/** The manager's use cases, wired to the real prepare, agent step, finish and GitHub sync. */
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
          isolation: config.isolation,
          network: config.network,
          skipNetworkCheck: config.skipNetworkCheck ?? false,
          signal,
        });
        return agentOutcome(isStepResult(result) ? agentStepOutcome(result) : legacyAgentStep(result));
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
    prePushCheck: (ctx, runId) => prePushCheck(ctx, runId),
    contractFromLastMessage: (ctx, runId) => contractFromLastMessage(ctx, runId),
  };
}

/**
 * The pre-push DoD check (SPEC §9.1, W48): the checks of §6.3 except `digest_stale` on the latest digest, and
 * the digest must describe the working tree as it is now (its `tree_sha` equals the current tree).
 */
export async function prePushCheck(ctx: AppContext, runId: string): Promise<{ ok: boolean; failed: string[] }> {
  const { run } = await requireRun(ctx.db, runId);
  const artifact = await latestArtifact(ctx.db, runId, 'run_digest');
  let digest: Record<string, unknown> | null = null;
  let loadError: string | null = artifact ? null : 'missing_run_digest_artifact';
  if (artifact) {
    try {
      const checked = checkDigestPayload(JSON.parse(readFileSync(artifact.uri, 'utf8')));
      if (checked.ok) digest = checked.digest;
      else loadError = checked.error;
    } catch (error) {
      loadError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run_digest_file_not_found' : 'run_digest_invalid_payload';
    }
  }
  const loaded = await loadPolicy(ctx.paths.policyFile);
  const eff = effectivePolicy(loaded.ok ? loaded.policy : (await import('@agentpr/policy')).DEFAULT_MANAGER_POLICY, run.owner, run.repo);
  const result = evaluateDodGate({
    digest,
    digestLoadError: loadError as never,
    hasContract: (await latestArtifact(ctx.db, runId, 'contract')) !== undefined,
    effectivePolicy: {
      max_changed_files: eff.max_changed_files,
      max_added_lines: eff.max_added_lines,
      min_test_commands: eff.min_test_commands,
      skills_mode: eff.skills_mode,
    },
  });
  const failed = result.failed_checks.map((c) => `${c.code}: ${c.message}`);
  if (digest) {
    const git = ctx.git;
    const baseline = await budgetBaseline(ctx.db, runId);
    const expected = (digest.workspace as { tree_sha?: unknown } | undefined)?.tree_sha;
    try {
      await assertWorkspaceInsideRoot(ctx, run);
      const diff = baseline ? await diffSummary(git, run.workspace_dir, { ref: baseline }) : null;
      const identity = await workspaceIdentity(git, run.workspace_dir, diff?.changed_files ?? []);
      if (typeof expected !== 'string' || identity.tree_sha !== expected) failed.push(`digest_stale: the working tree changed since the digest (digest tree ${String(expected)}, now ${identity.tree_sha})`);
    } catch (error) {
      failed.push(`workspace_unreadable: ${(error as Error).message}`);
    }
  }
  return { ok: failed.length === 0, failed };
}

/** Reads the contract from the latest passing DISCOVERY agent attempt's last message (SPEC §9.1, W46). */
export async function contractFromLastMessage(ctx: AppContext, runId: string): Promise<ContractOutcome> {
  const [message] = await listArtifacts(ctx.db, runId, { limit: 1, type: 'agent_last_message' });
  const [attempt] = await listAttempts(ctx.db, runId, { limit: 1, step: 'agent' });
  if (!message || !attempt || attempt.stage !== 'DISCOVERY') return { kind: 'needs_review', reason: 'no last message from the contract stage' };
  let text: string;
  try {
    text = readFileSync(message.uri, 'utf8');
  } catch {
    return { kind: 'needs_review', reason: `last message unreadable: ${message.uri}` };
  }
  const contract = lastContractObject(text);
  if (!contract) return { kind: 'needs_review', reason: 'no contract JSON object in the last message' };
  if (contract.status === 'skip') return { kind: 'skip' };
  if (contract.status !== 'ready') return { kind: 'needs_review', reason: `contract status ${String(contract.status)}` };
  const path = ctx.artifacts.writeNew(join(ctx.paths.dataDir, 'contracts'), `${runId}_contract_`, '.json', `${JSON.stringify(contract, null, 2)}\n`);
  return { kind: 'ready', path };
}
