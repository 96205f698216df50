import type { RunEvent } from '@agentpr/state-machine';
import {
  applyEvent,
  claimStaleClose,
  createRun,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  recordAttempt,
  recordPrOpened,
  recordRejection,
  type AttemptUsage,
  type Clock,
  type Db,
} from '@agentpr/store';

/** One seeded run of a campaign, as plain data the tests compute their expected figures from. */
export interface SeedRun {
  id: string;
  repo: string;
  campaign: string | null;
  /** Hours after T0 the run was created. */
  createdH: number;
  prepared?: boolean;
  pushed?: boolean;
  /** The PR, hours after T0: opened, first maintainer response, merged or closed (and closed as stale), and why. */
  pr?: { number: number; openedH: number; responseH?: number; mergedH?: number; closedH?: number; stale?: boolean; rejection?: string };
  /** Ended SKIPPED by the stale follow-up (reason `stale`) rather than a gate. */
  skippedAs?: string;
  /** Agent attempts: engine (default codex), model and token usage (null = an attempt that reported none). */
  attempts?: Array<{ engine?: string; model: string | null; input: number; cached: number; output: number; reasoning: number } | null>;
}

export const T0 = Date.parse('2026-11-02T09:00:00.000Z');
export const HOUR = 3_600_000;
export const isoAt = (hours: number): string => new Date(T0 + hours * HOUR).toISOString();
const clockAt = (hours: number): Clock => () => new Date(T0 + hours * HOUR);

const TO_PUSHED: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'a'.repeat(40) },
];

function usageOf(a: NonNullable<NonNullable<SeedRun['attempts']>[number]>): AttemptUsage {
  return { engine: a.engine ?? 'codex', model: a.model, inputTokens: a.input, cachedInputTokens: a.cached, outputTokens: a.output, reasoningTokens: a.reasoning };
}

async function seedPr(db: Db, r: SeedRun, pr: NonNullable<SeedRun['pr']>): Promise<void> {
  const key = { runId: r.id, prNumber: pr.number };
  await applyEvent(db, r.id, { event: { type: 'command.pr.linked', pr_number: pr.number, actor: 'operator' } }, clockAt(pr.openedH));
  await recordPrOpened(db, { ...key, owner: 'acme', repo: r.repo, campaign: r.campaign, prUrl: `https://github.com/acme/${r.repo}/pull/${pr.number}`, openedAt: isoAt(pr.openedH) });
  if (pr.responseH !== undefined) {
    const response = isoAt(pr.responseH);
    await notePrChecked(db, key, { firstResponseAt: response, lastMaintainerActivityAt: response, checkedAt: response });
  }
  if (pr.mergedH !== undefined) {
    await markPrMerged(db, key, isoAt(pr.mergedH));
    await applyEvent(db, r.id, { event: { type: 'github.pull_request.closed', pr_number: pr.number, merged: true, actor: 'webhook' } }, clockAt(pr.mergedH));
  }
  if (pr.closedH !== undefined) {
    if (pr.stale) await claimStaleClose(db, key, isoAt(pr.closedH));
    await markPrClosed(db, key, isoAt(pr.closedH));
    if (pr.rejection) await recordRejection(db, key, { category: pr.rejection, evidence: 'from the close comment' });
  }
}

/** Writes the runs through the store's own functions (the same ones the use cases call). */
export async function seedCampaign(db: Db, runs: readonly SeedRun[]): Promise<void> {
  for (const r of runs) {
    await createRun(db, { runId: r.id, owner: 'acme', repo: r.repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${r.id}`, campaign: r.campaign }, clockAt(r.createdH));
    if (r.prepared) await recordAttempt(db, { runId: r.id, step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 100 }, clockAt(r.createdH));
    for (const a of r.attempts ?? []) {
      await recordAttempt(db, { runId: r.id, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 1000, ...(a ? { usage: usageOf(a) } : {}) }, clockAt(r.createdH));
    }
    if (r.pushed) for (const event of TO_PUSHED) await applyEvent(db, r.id, { event: { ...event, actor: 'operator' } as RunEvent }, clockAt(r.createdH + 1));
    if (r.pr) await seedPr(db, r, r.pr);
    if (r.skippedAs) await applyEvent(db, r.id, { event: { type: 'command.run.skip', reason_code: r.skippedAs, message: 'no response', actor: 'manager' } }, clockAt(r.createdH + 500));
  }
}
