import { randomUUID } from 'node:crypto';
import {
  eventPayload,
  parseHeldFacts,
  resolveEvent,
  serializeHeldFacts,
  type NotAppliedReason,
  type RunEvent,
  type RunSnapshot,
  type RunState,
} from '@agentpr/state-machine';
import { dialectOf, inTransaction } from './dialect.js';
import { StoreError } from './errors.js';
import type { Db, EventRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** One event to apply. */
export interface EventInput {
  event: RunEvent;
  /** Supplied keys make a repeat a duplicate; without one a unique key is generated (W1). */
  idempotencyKey?: string | undefined;
  /** Refusal skips this event instead of rolling back the whole batch (used for convergence after a failure). */
  optional?: boolean;
  /** Store the event without applying it (e.g. a single suite's success waiting for the roll-up). */
  storeOnly?: { reason: string; message?: string };
}

/** What applying one event did. The first four keys are the CLI's result object. */
export interface ApplyResult {
  duplicate: boolean;
  event_type: string;
  run_id: string;
  state: RunState;
  /** Present when the event was stored without changing the run. */
  applied?: boolean;
  reason?: string;
  message?: string;
  /** Set for an optional event that was refused and not stored. */
  refused?: { code: string; message: string };
  event_id?: number;
  /** The state before the event. */
  from: RunState;
  last_error: string | null;
}

/** The CLI result object of SPEC §1.3 for an apply result. */
export function resultObject(r: ApplyResult): Record<string, unknown> {
  const out: Record<string, unknown> = { duplicate: r.duplicate, event_type: r.event_type, run_id: r.run_id, state: r.state };
  if (r.applied === false) {
    out.applied = false;
    out.reason = r.reason;
  }
  return out;
}

/** Locks the run's state row for the rest of the transaction (PostgreSQL); SQLite's `BEGIN IMMEDIATE` already serialises writers. */
export async function lockRun(trx: Db, runId: string): Promise<RunSnapshot | undefined> {
  let query = trx.selectFrom('run_states').select(['current_state', 'last_error', 'last_active_state', 'held_facts_json']).where('run_id', '=', runId);
  if (dialectOf(trx) === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    state: row.current_state as RunState,
    lastError: row.last_error,
    lastActiveState: row.last_active_state as RunState | null,
    heldFacts: parseHeldFacts(row.held_facts_json),
  };
}

/** True when `next` differs from `prev` in a field that `run_states` keeps. */
export function snapshotChanged(prev: RunSnapshot, next: RunSnapshot): boolean {
  return (
    next.state !== prev.state ||
    next.lastError !== prev.lastError ||
    next.lastActiveState !== prev.lastActiveState ||
    serializeHeldFacts(next.heldFacts) !== serializeHeldFacts(prev.heldFacts)
  );
}

/** `sha` of the run's latest `branch` artefact: the head it pushed, or null. */
export async function pushedHead(trx: Db, runId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('artifacts')
    .select('metadata_json')
    .where('run_id', '=', runId)
    .where('artifact_type', '=', 'branch')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  try {
    const sha = (JSON.parse(row.metadata_json) as { sha?: unknown }).sha;
    return typeof sha === 'string' && sha ? sha : null;
  } catch {
    return null;
  }
}

/**
 * Applies events to one run in ONE transaction: for each, check the idempotency key, resolve the target
 * against the state as it is now (re-read under the lock), insert the event and write the state. A refused
 * event rolls everything back and throws `refused`, unless it is `optional`.
 */
export async function applyEvents(db: Db, runId: string, inputs: EventInput[], clock: Clock = systemClock): Promise<ApplyResult[]> {
  return inTransaction(db, async (trx) => {
    const locked = await lockRun(trx, runId);
    if (!locked) throw new StoreError('run_not_found', `run ${runId} not found. Use list-runs to see existing runs.`, { runId });
    let snapshot: RunSnapshot = locked;
    const now = iso(clock());
    const results: ApplyResult[] = [];
    for (const input of inputs) {
      const { event } = input;
      const key = input.idempotencyKey?.trim() || `${event.type}:${runId}:${randomUUID()}`;
      const from = snapshot.state;
      if (input.idempotencyKey) {
        const existing = await trx
          .selectFrom('events')
          .select('event_id')
          .where('run_id', '=', runId)
          .where('idempotency_key', '=', key)
          .executeTakeFirst();
        if (existing) {
          results.push({ duplicate: true, event_type: event.type, run_id: runId, state: snapshot.state, from, last_error: snapshot.lastError, event_id: Number(existing.event_id) });
          continue;
        }
      }
      let next: RunSnapshot = snapshot;
      let applied = true;
      let reason: string | undefined;
      let message: string | undefined;
      if (input.storeOnly) {
        applied = false;
        reason = input.storeOnly.reason;
        message = input.storeOnly.message;
      } else {
        const ctx = event.type === 'github.check.completed' ? { runId, pushedHeadSha: await pushedHead(trx, runId) } : { runId };
        const resolution = resolveEvent(snapshot, event, ctx);
        if (resolution.outcome === 'refused') {
          if (input.optional) {
            results.push({ duplicate: false, event_type: event.type, run_id: runId, state: snapshot.state, from, last_error: snapshot.lastError, refused: { code: resolution.code, message: resolution.message } });
            continue;
          }
          throw new StoreError('refused', resolution.message, {
            runId,
            data: { code: resolution.code, state: snapshot.state, allowed_targets: resolution.allowedTargets, event_type: event.type },
          });
        }
        next = resolution.next;
        if (resolution.outcome === 'stored') {
          applied = false;
          reason = resolution.reason satisfies NotAppliedReason;
          message = resolution.message;
        }
      }
      const inserted = await trx
        .insertInto('events')
        .values({
          run_id: runId,
          event_type: event.type,
          idempotency_key: key,
          payload_json: JSON.stringify(eventPayload(event)),
          applied: applied ? 1 : 0,
          reason: reason ?? null,
          actor: event.actor ?? null,
          created_at: now,
        })
        .onConflict((oc) => oc.columns(['run_id', 'idempotency_key']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!inserted) {
        // A concurrent writer inserted the same key between our check and insert (PostgreSQL without a lock).
        results.push({ duplicate: true, event_type: event.type, run_id: runId, state: snapshot.state, from, last_error: snapshot.lastError });
        continue;
      }
      const stateChanged = next.state !== snapshot.state;
      if (snapshotChanged(snapshot, next) || applied) {
        await trx
          .updateTable('run_states')
          .set({ current_state: next.state, last_error: next.lastError, last_active_state: next.lastActiveState, held_facts_json: serializeHeldFacts(next.heldFacts), updated_at: now })
          .where('run_id', '=', runId)
          .execute();
      }
      if (applied) await applySideEffects(trx, runId, event, now, stateChanged);
      snapshot = next;
      const result: ApplyResult = { duplicate: false, event_type: event.type, run_id: runId, state: next.state, from, last_error: next.lastError, event_id: Number(inserted.event_id) };
      if (!applied) Object.assign(result, { applied: false, reason, message });
      results.push(result);
    }
    return results;
  });
}

async function applySideEffects(trx: Db, runId: string, event: RunEvent, now: string, stateChanged: boolean): Promise<void> {
  const runUpdate: { updated_at: string; pr_number?: number } = { updated_at: now };
  if (event.type === 'command.pr.linked') runUpdate.pr_number = event.pr_number;
  if (stateChanged || runUpdate.pr_number !== undefined) {
    await trx.updateTable('runs').set(runUpdate).where('run_id', '=', runId).execute();
  }
  if (event.type === 'worker.discovery.completed') {
    await trx.insertInto('artifacts').values({ run_id: runId, artifact_type: 'contract', uri: event.contract_path, metadata_json: '{}', created_at: now }).execute();
  }
  if (event.type === 'worker.push.completed') {
    await trx
      .insertInto('artifacts')
      .values({ run_id: runId, artifact_type: 'branch', uri: event.branch, metadata_json: JSON.stringify({ sha: event.head_sha ?? null }), created_at: now })
      .execute();
  }
}

/** Applies one event; see {@link applyEvents}. */
export async function applyEvent(db: Db, runId: string, input: EventInput, clock: Clock = systemClock): Promise<ApplyResult> {
  const [result] = await applyEvents(db, runId, [input], clock);
  return result!;
}

/** A stored event with its payload parsed. */
export interface StoredEvent extends Omit<EventRow, 'payload_json'> {
  payload: Record<string, unknown>;
}

/** The run's newest events first (callers reverse for chronological order). */
export async function listEvents(db: Db, runId: string, options: { limit: number }): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('run_id', '=', runId).orderBy('event_id', 'desc').limit(options.limit).execute();
  return rows.map(({ payload_json, ...row }) => ({ ...row, event_id: Number(row.event_id), payload: safeParse(payload_json) }));
}

function safeParse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { raw: text };
  }
}
