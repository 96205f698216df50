import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, requireRun, StoreError } from '@agentpr/store';
import type { RunState } from '@agentpr/state-machine';
import type { RunAgentStepResult } from '../agent/agent-step-result.js';
import type { AppContext } from '../context.js';
import { errorFacts } from '../errors.js';
import type { SyncGithubResult } from '../github-sync/sync-report.js';
import { applyCommand, type RunCommand } from '../runs/apply-command.js';
import type { FinishRunResult } from '../workspace/finish-run.js';
import type { PrepareRunResult } from '../workspace/prepare-run.js';
import type { ManagerPrRequest } from './request-pr.js';

/** A state change the manager applied (start-discovery, start-implementation, mark-plan-ready, retry, escalate). */
export interface EventDetail {
  step: 'event';
  event_type: string;
  state: RunState;
  duplicate: boolean;
  /** Set when the event was stored without changing the run, with why. */
  not_applied?: string;
}

/** What an executed action did, per action. */
export type ActionDetail =
  | EventDetail
  | { step: 'prepare'; result: PrepareRunResult }
  | { step: 'agent'; result: RunAgentStepResult }
  | { step: 'finish'; result: FinishRunResult }
  | { step: 'sync'; result: SyncGithubResult }
  | { step: 'pr_request'; result: ManagerPrRequest };

/**
 * The result of one executed manager action, as the tick report records it: done, or failed with an error code
 * and a one-line message (and what the action did, when it ran and reported a failure).
 */
export type ActionOutcome =
  | { kind: 'done'; detail: ActionDetail }
  | { kind: 'failed'; code: string; error: string; detail?: ActionDetail };

/** What the contract stage's last message said: the contract is the last JSON object in it. */
export type ContractOutcome = { kind: 'ready'; path: string } | { kind: 'skip' } | { kind: 'needs_review'; reason: string };

/**
 * The use cases the manager calls, in process. The heavy ones (prepare, agent step, finish, sync, the pre-push
 * check) are injected by the app so the tick can be tested over fakes.
 */
export interface ManagerActions {
  runPrepare(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  runAgentStep(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  runFinish(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  syncGithub(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  /** Writes the PR request of a PUSHED run's head; a refusal escalates the run (see `requestPrForRun`). */
  requestPr(ctx: AppContext, runId: string, signal: AbortSignal): Promise<ActionOutcome>;
  /** The pre-push DoD check. */
  prePushCheck(ctx: AppContext, runId: string): Promise<{ ok: boolean; failed: string[] }>;
  /** Reads the contract from the latest DISCOVERY agent attempt's last message. */
  contractFromLastMessage(ctx: AppContext, runId: string): Promise<ContractOutcome>;
}

/** A failed outcome for an error an action let through: its code and message, never an exit number. */
export function failedOutcome(error: unknown): ActionOutcome {
  const { code, message } = errorFacts(error);
  return { kind: 'failed', code, error: message };
}

/** Runs `fn` and records a thrown error as a failed outcome. */
export async function attempt(fn: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  try {
    return await fn();
  } catch (error) {
    return failedOutcome(error);
  }
}

function eventDetail(r: { event_type: string; state: RunState; duplicate: boolean; applied?: boolean | undefined; reason?: string | undefined }): EventDetail {
  return { step: 'event', event_type: r.event_type, state: r.state, duplicate: r.duplicate, ...(r.applied === false ? { not_applied: r.reason ?? 'not applied' } : {}) };
}

function command(ctx: AppContext, runId: string, cmd: RunCommand): Promise<ActionOutcome> {
  return attempt(async () => {
    const applied = await applyCommand(ctx, runId, cmd);
    return { kind: 'done', detail: eventDetail(applied.result) };
  });
}

/** start-discovery as the manager. */
export function startDiscovery(ctx: AppContext, runId: string): Promise<ActionOutcome> {
  return command(ctx, runId, { command: 'start-discovery' });
}

/** start-implementation as the manager. */
export function startImplementation(ctx: AppContext, runId: string): Promise<ActionOutcome> {
  return command(ctx, runId, { command: 'start-implementation' });
}

/** mark-plan-ready with a contract path. */
export function markPlanReady(ctx: AppContext, runId: string, contractPath: string): Promise<ActionOutcome> {
  return command(ctx, runId, { command: 'mark-plan-ready', contractPath });
}

/** An internal retry (table rules only). */
export function retryRun(ctx: AppContext, runId: string, target: RunState): Promise<ActionOutcome> {
  return attempt(async () => {
    const r = await applyEvent(ctx.db, runId, { event: { type: 'command.retry', target_state: target, actor: 'manager' } }, ctx.clock);
    return { kind: 'done', detail: eventDetail(r) };
  });
}

/** Escalate: an internal retry to NEEDS_HUMAN_REVIEW with `last_error = manager:<reason>`. */
export function escalate(ctx: AppContext, runId: string, reason: string): Promise<ActionOutcome> {
  return attempt(async () => {
    const r = await applyEvent(ctx.db, runId, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: `manager:${reason}` } }, ctx.clock);
    return { kind: 'done', detail: eventDetail(r) };
  });
}

function existingAutoContract(dir: string, runId: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const legacy = `${runId}_auto_contract.md`;
  const found = readdirSync(dir).filter((name) => name === legacy || (name.startsWith(`${runId}_auto_contract_`) && name.endsWith('.md'))).sort()[0];
  return found === undefined ? undefined : join(dir, found);
}

/**
 * The bootstrap contract for skills mode `off`: reused if the run has one, else the template text,
 * else a short document of the rules every integration follows, written through the artifact writer.
 */
export async function autoContract(ctx: AppContext, runId: string, templateFile?: string): Promise<string> {
  const dir = join(ctx.paths.dataDir, 'contracts');
  const existing = existingAutoContract(dir, runId);
  if (existing) return existing;
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
  return ctx.artifacts.writeNew(dir, `${runId}_auto_contract_`, '.md', text);
}

/** Whether an error means another process holds the run. */
export function isLeaseHeld(error: unknown): boolean {
  return error instanceof StoreError && error.code === 'lease_held';
}
