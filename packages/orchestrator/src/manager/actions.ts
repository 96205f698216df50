import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, requireRun, StoreError } from '@agentpr/store';
import type { RunState } from '@agentpr/state-machine';
import type { AppContext } from '../context.js';
import { applyCommand } from '../runs/apply-command.js';

/** The result of one executed manager action, as the tick report records it. */
export interface ActionOutcome {
  ok: boolean;
  /** The exit code the equivalent CLI command would have returned. */
  returncode: number;
  /** The equivalent CLI argv, for display. */
  command: string[];
  output: unknown;
  error?: string;
}

/** What the contract stage's last message said (SPEC §9.1 "contract from the last message"). */
export type ContractOutcome = { kind: 'ready'; path: string } | { kind: 'skip' } | { kind: 'needs_review'; reason: string };

/**
 * The use cases the manager calls, in process. The heavy ones (prepare, agent step, finish, sync, the pre-push
 * check) are injected by the app so this package does not hard-wire git, codex or GitHub.
 */
export interface ManagerActions {
  runPrepare(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  runAgentStep(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  runFinish(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  syncGithub(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  /** The pre-push DoD check (SPEC §9.1, W48). */
  prePushCheck(ctx: AppContext, runId: string): Promise<{ ok: boolean; failed: string[] }>;
  /** Reads the contract from the latest DISCOVERY agent attempt's last message. */
  contractFromLastMessage(ctx: AppContext, runId: string): Promise<ContractOutcome>;
}

function ok(command: string[], output: unknown): ActionOutcome {
  return { ok: true, returncode: 0, command, output };
}

async function guarded(command: string[], fn: () => Promise<unknown>): Promise<ActionOutcome> {
  try {
    return ok(command, await fn());
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    const code = (error as { code?: string }).code;
    return { ok: false, returncode: code === 'usage' || code === 'invalid_input' ? 2 : 1, command, output: { ok: false, error: message }, error: message };
  }
}

/** start-discovery as the manager. */
export function startDiscovery(ctx: AppContext, runId: string): Promise<ActionOutcome> {
  return guarded(['start-discovery', '--run-id', runId], async () => (await applyCommand(ctx, runId, { command: 'start-discovery' })).result);
}

/** start-implementation as the manager. */
export function startImplementation(ctx: AppContext, runId: string): Promise<ActionOutcome> {
  return guarded(['start-implementation', '--run-id', runId], async () => (await applyCommand(ctx, runId, { command: 'start-implementation' })).result);
}

/** mark-plan-ready with a contract path. */
export function markPlanReady(ctx: AppContext, runId: string, contractPath: string): Promise<ActionOutcome> {
  return guarded(['mark-plan-ready', '--run-id', runId, '--contract-path', contractPath], async () => (await applyCommand(ctx, runId, { command: 'mark-plan-ready', contractPath })).result);
}

/** An internal retry (table rules only). */
export function retryRun(ctx: AppContext, runId: string, target: RunState): Promise<ActionOutcome> {
  return guarded(['retry', '--run-id', runId, '--target-state', target], async () => {
    const r = await applyEvent(ctx.db, runId, { event: { type: 'command.retry', target_state: target, actor: 'manager' } }, ctx.clock);
    return { duplicate: r.duplicate, event_type: r.event_type, run_id: r.run_id, state: r.state };
  });
}

/** Escalate: an internal retry to NEEDS_HUMAN_REVIEW with `last_error = manager:<reason>`. */
export function escalate(ctx: AppContext, runId: string, reason: string): Promise<ActionOutcome> {
  return guarded(['retry', '--run-id', runId, '--target-state', 'NEEDS_HUMAN_REVIEW'], async () => {
    const r = await applyEvent(ctx.db, runId, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: `manager:${reason}` } }, ctx.clock);
    return { duplicate: r.duplicate, event_type: r.event_type, run_id: r.run_id, state: r.state };
  });
}

/**
 * The bootstrap contract for skills mode `off` (SPEC §9.3): reused if it exists, else the template text, else
 * a short document of the rules every integration follows.
 */
export async function autoContract(ctx: AppContext, runId: string, templateFile?: string): Promise<string> {
  const dir = join(ctx.paths.dataDir, 'contracts');
  const path = join(dir, `${runId}_auto_contract.md`);
  if (existsSync(path)) return path;
  const { run } = await requireRun(ctx.db, runId);
  let text = templateFile && existsSync(templateFile) ? readFileSync(templateFile, 'utf8') : '';
  if (!text.trim()) {
    text = [
      `# Contract (bootstrap) for ${run.owner}/${run.repo}`,
      '',
      `run: ${runId}`,
      'status: bootstrap',
      '',
      '- Read AGENTS.md, CONTRIBUTING*, the PR template and the CI workflows before editing anything.',
      '- Keep the diff minimal: touch only the files the integration needs.',
      '- Use the repository toolchain; run the tests and lint that CI runs, and report each command with its result.',
      '- Update the docs when behaviour changes.',
      '- When evidence is missing or a step needs access you do not have, stop and report NEEDS REVIEW.',
      '',
    ].join('\n');
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Whether an error means another process holds the run. */
export function isLeaseHeld(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'lease_held';
}
