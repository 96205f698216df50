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
  /** Supplied keys make a repeat a duplicate; without one a unique key is generated. */
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

/** The result object the CLI prints for an apply result. */
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
  let query = trx
    .selectFrom('run_states')
    .select(['current_state', 'last_error', 'last_active_state', 'held_facts_json', 'paused_from'])
    .where('run_id', '=', runId);
  if (dialectOf(trx) === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const snapshot: RunSnapshot = {
    state: row.current_state as RunState,
    lastError: row.last_error,
    lastActiveState: row.last_active_state as RunState | null,
    heldFacts: parseHeldFacts(row.held_facts_json),
  };
  // Only a PAUSED run has a paused-from state; a stale value (a merge ended the run while paused) is ignored.
  if (row.current_state === 'PAUSED' && row.paused_from) snapshot.pausedFrom = row.paused_from as RunState;
  return snapshot;
}

/** True when `next` differs from `prev` in a field that `run_states` keeps. */
export function snapshotChanged(prev: RunSnapshot, next: RunSnapshot): boolean {
  return (
    next.state !== prev.state ||
    next.lastError !== prev.lastError ||
    next.lastActiveState !== prev.lastActiveState ||
    (next.pausedFrom ?? null) !== (prev.pausedFrom ?? null) ||
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
 * What applying one event to a run in `snapshot` will do, decided before any row is written — the one place both
 * event writers ({@link applyEvents} and the webhook's `recordDeliveryEvent`) take the decision from:
 * `refused` (an illegal move: nothing is stored), or `store` the event row, `applied` or not (stored-only, a stale
 * head, a held fact), and move the run to `next`.
 */
export type EventPlan =
  | { kind: 'refused'; code: string; message: string; allowedTargets: readonly string[] }
  | { kind: 'store'; next: RunSnapshot; applied: boolean; reason?: string; message?: string };

/** Decides {@link EventPlan} for `input` against `snapshot` (`pushedHeadSha` matters to `github.check.completed`). */
export function planEvent(
  snapshot: RunSnapshot,
  input: Pick<EventInput, 'event' | 'storeOnly'>,
  context: { runId: string; pushedHeadSha?: string | null },
): EventPlan {
  const { storeOnly } = input;
  if (storeOnly) return { kind: 'store', next: snapshot, applied: false, reason: storeOnly.reason, ...(storeOnly.message !== undefined ? { message: storeOnly.message } : {}) };
  const resolution = resolveEvent(snapshot, input.event, context);
  if (resolution.outcome === 'refused') return { kind: 'refused', code: resolution.code, message: resolution.message, allowedTargets: resolution.allowedTargets };
  if (resolution.outcome === 'stored') {
    return { kind: 'store', next: resolution.next, applied: false, reason: resolution.reason satisfies NotAppliedReason, message: resolution.message };
  }
  return { kind: 'store', next: resolution.next, applied: true };
}

/** The rows a stored event changes besides its own: the state row, and the run row (touched, or its PR linked). */
export interface EventWrites {
  state: boolean;
  /** Bump `runs.updated_at` (the state moved, or a PR is linked). */
  touchRun: boolean;
  /** `command.pr.linked`: the PR number to set on the run. */
  linkPr?: number;
}

/** Which rows {@link EventPlan} `store` changes, shared by both event writers. */
export function eventWrites(prev: RunSnapshot, plan: Extract<EventPlan, { kind: 'store' }>, event: RunEvent): EventWrites {
  const state = snapshotChanged(prev, plan.next) || plan.applied;
  if (!plan.applied) return { state, touchRun: false };
  if (event.type === 'command.pr.linked') return { state, touchRun: true, linkPr: event.pr_number };
  return { state, touchRun: plan.next.state !== prev.state };
}

/** The {@link ApplyResult} of a stored event. */
export function storedResult(runId: string, event: RunEvent, from: RunState, plan: Extract<EventPlan, { kind: 'store' }>, eventId: number): ApplyResult {
  const { next } = plan;
  const result: ApplyResult = { duplicate: false, event_type: event.type, run_id: runId, state: next.state, from, last_error: next.lastError };
  result.event_id = eventId;
  if (!plan.applied) Object.assign(result, { applied: false, reason: plan.reason, message: plan.message });
  return result;
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
          const eventId = Number(existing.event_id);
          const { state, lastError } = snapshot;
          results.push({ duplicate: true, event_type: event.type, run_id: runId, state, from, last_error: lastError, event_id: eventId });
          continue;
        }
      }
      const pushedHeadSha = event.type === 'github.check.completed' && !input.storeOnly ? await pushedHead(trx, runId) : undefined;
      const plan = planEvent(snapshot, input, pushedHeadSha === undefined ? { runId } : { runId, pushedHeadSha });
      if (plan.kind === 'refused') {
        if (input.optional) {
          const refused = { code: plan.code, message: plan.message };
          results.push({ duplicate: false, event_type: event.type, run_id: runId, state: snapshot.state, from, last_error: snapshot.lastError, refused });
          continue;
        }
        throw new StoreError('refused', plan.message, {
          runId,
          data: { code: plan.code, state: snapshot.state, allowed_targets: plan.allowedTargets, event_type: event.type },
        });
      }
      const { next, applied, reason } = plan;
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
          from_state: applied ? from : null,
          to_state: applied ? next.state : null,
        })
        .onConflict((oc) => oc.columns(['run_id', 'idempotency_key']).doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!inserted) {
        // A concurrent writer inserted the same key between our check and insert (PostgreSQL without a lock).
        results.push({ duplicate: true, event_type: event.type, run_id: runId, state: snapshot.state, from, last_error: snapshot.lastError });
        continue;
      }
      const writes = eventWrites(snapshot, plan, event);
      if (writes.state) {
        await trx
          .updateTable('run_states')
          .set({
            current_state: next.state,
            last_error: next.lastError,
            last_active_state: next.lastActiveState,
            held_facts_json: serializeHeldFacts(next.heldFacts),
            paused_from: next.pausedFrom ?? null,
            updated_at: now,
          })
          .where('run_id', '=', runId)
          .execute();
      }
      if (applied) await applySideEffects(trx, runId, event, now, writes);
      snapshot = next;
      results.push(storedResult(runId, event, from, plan, Number(inserted.event_id)));
    }
    return results;
  });
}

async function applySideEffects(trx: Db, runId: string, event: RunEvent, now: string, writes: EventWrites): Promise<void> {
  if (writes.touchRun) {
    await trx.updateTable('runs').set({ updated_at: now, ...(writes.linkPr !== undefined ? { pr_number: writes.linkPr } : {}) }).where('run_id', '=', runId).execute();
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
