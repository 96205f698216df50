import {
  ATTEMPT_HISTORY_LIMIT,
  attemptSucceeded,
  getManagerRun,
  lastHumanCommandAt,
  latestArtifact,
  linkedOpenPr,
  listAttemptSummaries,
  listGateChecks,
  managerRetriesSince,
  prRequestForHead,
  pushedHead,
  requireRun,
  runActivityMarks,
  type AttemptSummary,
} from '@agentpr/store';
import type { RunState } from '@agentpr/state-machine';
import type { AppContext } from '../context.js';
import type { HeldGate, PrFacts, RunFacts, StepKey } from './decide.js';

/** When a held gate says nothing about when it frees (an open-PR cap frees when a PR closes), the manager asks again after this. */
export const HELD_RECHECK_MS = 15 * 60_000;

/** Inputs the manager needs beyond the store. */
export interface FactInputs {
  skillsMode: 'off' | 'agentpr';
  hasPrompt: boolean;
  syncIntervalMs: number;
  /** Whether the manager writes the PR request of a PUSHED run itself (default true; `drive` writes its own). */
  autoRequestPr?: boolean;
}

/** An agent attempt failed unless it was graded PASS; any other step failed unless it succeeded. */
function failed(a: AttemptSummary): boolean {
  return a.step === 'agent' ? a.grade !== 'PASS' : !attemptSucceeded(a);
}

/** The facts of one run, with the names the tick report shows. */
export type GatheredFacts = RunFacts & { prNumber: number | null; owner: string; repo: string };

/** Gathers the facts the manager decides on for one run. */
export async function gatherFacts(ctx: AppContext, runId: string, inputs: FactInputs): Promise<GatheredFacts> {
  const { run, state } = await requireRun(ctx.db, runId);
  const since = await lastHumanCommandAt(ctx.db, runId);
  const attempts = (await listAttemptSummaries(ctx.db, runId, { limit: ATTEMPT_HISTORY_LIMIT })).reverse();
  const prepares = attempts.filter((a) => a.step === 'prepare');
  const latestPrepare = prepares.at(-1);
  const lastGoodPrepare = [...prepares].reverse().find(attemptSucceeded);
  const discoveryAgents = attempts.filter((a) => a.step === 'agent' && a.stage === 'DISCOVERY' && (!lastGoodPrepare || a.id > lastGoodPrepare.id));
  const stepFailuresInARow: Partial<Record<StepKey, number>> = {};
  for (const step of ['prepare', 'agent', 'finish', 'github_sync'] as const) {
    let n = 0;
    for (const a of [...attempts].reverse()) {
      if (a.step !== step) continue;
      if (a.created_at < since || !failed(a)) break;
      n++;
    }
    stepFailuresInARow[step] = n;
  }
  const managerRetries = await managerRetriesSince(ctx.db, runId, since);
  const contract = await latestArtifact(ctx.db, runId, 'contract');
  const memory = await getManagerRun(ctx.db, runId);
  const lastSync = memory?.last_sync_at ? Date.parse(memory.last_sync_at) : 0;
  return {
    runId,
    owner: run.owner,
    repo: run.repo,
    prNumber: run.pr_number,
    state: state.current_state,
    lastActiveState: state.last_active_state,
    prepare: { attempts: prepares.length, latestOk: latestPrepare ? attemptSucceeded(latestPrepare) : null, latestId: latestPrepare?.id ?? null },
    contractUri: contract?.uri ?? null,
    skillsMode: inputs.skillsMode,
    hasPrompt: inputs.hasPrompt,
    discoveryAgentPassed: discoveryAgents.at(-1)?.grade === 'PASS',
    budget: { managerRetries, stepFailuresInARow },
    syncDue: ctx.clock().getTime() - lastSync >= inputs.syncIntervalMs,
    lastError: state.last_error,
    pr: await prFacts(ctx, runId, state.current_state, inputs.autoRequestPr ?? true),
  };
}

/** The PR facts of a PUSHED run (other states do not read them): its open PR and the request of its pushed head. */
async function prFacts(ctx: AppContext, runId: string, state: RunState, autoRequest: boolean): Promise<PrFacts> {
  if (state !== 'PUSHED') return { openNumber: null, request: null, autoRequest };
  const head = await pushedHead(ctx.db, runId);
  const found = head ? await prRequestForHead(ctx.db, runId, head) : undefined;
  const request = found && {
    requestFile: found.request_file,
    expiresAt: found.expires_at,
    expired: Date.parse(found.expires_at) <= ctx.clock().getTime(),
    consumed: found.consumed_at !== null,
  };
  return { openNumber: await linkedOpenPr(ctx.db, runId), request: request ?? null, autoRequest, held: await heldGate(ctx, runId) };
}

/**
 * The gate that held the run's latest PR request, while it still holds: the newest `pr_request` verdict is `held`
 * and its `frees_at` (else the verdict's time plus {@link HELD_RECHECK_MS}) is still ahead. Null otherwise.
 */
async function heldGate(ctx: AppContext, runId: string): Promise<HeldGate | null> {
  const latest = (await listGateChecks(ctx.db, runId, { limit: 10 })).find((c) => c.phase === 'pr_request');
  if (latest?.outcome !== 'held') return null;
  let frees: unknown;
  try {
    frees = (JSON.parse(latest.detail_json) as Record<string, unknown>).frees_at;
  } catch {
    frees = undefined;
  }
  const freesAt = typeof frees === 'string' ? Date.parse(frees) : Number.NaN;
  const until = Number.isNaN(freesAt) ? Date.parse(latest.created_at) + HELD_RECHECK_MS : freesAt;
  if (until <= ctx.clock().getTime()) return null;
  return { gate: latest.gate, reasonCode: latest.reason_code, message: latest.message, until: new Date(until).toISOString() };
}

/** A fingerprint of everything an action reads: when it is unchanged after a failure, repeating is pointless. */
export async function runFingerprint(ctx: AppContext, runId: string): Promise<string> {
  const marks = await runActivityMarks(ctx.db, runId);
  return `${marks.eventId}:${marks.attemptId}:${marks.artifactId}`;
}
