import type { GitHubClient } from '@agentpr/github';
import { applyCheckRollup, type AppContext, type RollupTask } from '@agentpr/orchestrator';
import type { WebhookAudit } from './webhook-audit.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** Runs the roll-ups a delivery asked for, after its answer: one per run and head at a time. */
export interface RollupRunner {
  /** Schedules a roll-up (again after the running one of the same head, as checks may have finished meanwhile). */
  run(task: RollupTask, delivery: string, event: string): void;
  /** How many heads have a roll-up running. */
  readonly size: number;
  /** Resolves when every scheduled roll-up has finished. */
  idle(): Promise<void>;
}

/**
 * Roll-ups over the network (every check of the head, read from GitHub) run after the reply, so GitHub gets its
 * answer within its 10 s. Each is audited (`rollup_<conclusion>`, `rollup_error`, or `rollup_unavailable` without
 * GitHub access) and counted; a failure leaves the decision to sync-github.
 */
export function createRollupRunner(options: {
  ctx: AppContext;
  github: GitHubClient | undefined;
  metrics: WebhookMetrics;
  audit: WebhookAudit;
  path: string;
}): RollupRunner {
  const { ctx, github, metrics, audit } = options;
  const rollups = new Map<string, { running: Promise<void>; again: RollupTask | null }>();
  const once = async (t: RollupTask, delivery: string, event: string): Promise<void> => {
    const fields = { method: 'ROLLUP', path: options.path, event, delivery, status: 0 };
    if (!github) {
      metrics.rollup('unavailable');
      audit.write({ ...fields, outcome: 'rollup_unavailable', error: 'no GitHub access (GITHUB_TOKEN/GH_TOKEN); sync-github will decide' });
      return;
    }
    try {
      const outcome = await applyCheckRollup(ctx, github, t);
      const result = outcome.rollup.conclusion ?? 'pending';
      metrics.rollup(result);
      const applied = outcome.applied && !outcome.applied.duplicate && outcome.applied.applied !== false && !outcome.applied.refused ? 1 : 0;
      audit.write({ ...fields, outcome: `rollup_${result}`, processed: applied, ignored: outcome.applied && !applied ? 1 : 0 });
    } catch (error) {
      metrics.rollup('error');
      audit.write({ ...fields, outcome: 'rollup_error', error: (error as Error).message });
      ctx.log.warn('check roll-up failed; sync-github will decide', { run_id: t.runId, head_sha: t.headSha, error: (error as Error).message });
    }
  };
  return {
    run(task, delivery, event) {
      const key = `${task.runId}|${task.headSha}`;
      const current = rollups.get(key);
      if (current) {
        current.again = task;
        return;
      }
      const entry: { running: Promise<void>; again: RollupTask | null } = { running: Promise.resolve(), again: null };
      entry.running = (async () => {
        let next: RollupTask | null = task;
        while (next) {
          entry.again = null;
          await once(next, delivery, event);
          next = entry.again;
        }
      })().finally(() => rollups.delete(key));
      rollups.set(key, entry);
    },
    get size() {
      return rollups.size;
    },
    async idle() {
      while (rollups.size > 0) await Promise.allSettled([...rollups.values()].map((r) => r.running));
    },
  };
}
