import type { Db } from './schema.js';

/** What the store knows about a run's way to a merged PR: `mark-done` asks for `--force` unless a merge is known. */
export interface MergeEvidence {
  /** A push was recorded (a `branch` artefact from `worker.push.completed`). */
  pushed: boolean;
  /** The PR linked to the run, or null. */
  prNumber: number | null;
  /** The PR number of a recorded merged close (`github.pull_request.closed` with `merged: true`), or null. */
  mergedPr: number | null;
}

/** Reads {@link MergeEvidence} for a run with three index-backed look-ups (run, its branch artefact, its close events). */
export async function mergeEvidence(db: Db, runId: string): Promise<MergeEvidence> {
  const run = await db.selectFrom('runs').select('pr_number').where('run_id', '=', runId).executeTakeFirst();
  const branch = await db
    .selectFrom('artifacts')
    .select('id')
    .where('run_id', '=', runId)
    .where('artifact_type', '=', 'branch')
    .limit(1)
    .executeTakeFirst();
  const closes = await db
    .selectFrom('events')
    .select('payload_json')
    .where('run_id', '=', runId)
    .where('event_type', '=', 'github.pull_request.closed')
    .orderBy('event_id', 'desc')
    .execute();
  let mergedPr: number | null = null;
  for (const { payload_json } of closes) {
    const payload = parsePayload(payload_json);
    if (payload.merged === true && typeof payload.pr_number === 'number') {
      mergedPr = payload.pr_number;
      break;
    }
  }
  return { pushed: branch !== undefined, prNumber: run?.pr_number == null ? null : Number(run.pr_number), mergedPr };
}

function parsePayload(text: string): { merged?: unknown; pr_number?: unknown } {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as { merged?: unknown; pr_number?: unknown }) : {};
  } catch {
    return {};
  }
}
