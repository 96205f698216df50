import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { eventPayload, parseHeldFacts, serializeHeldFacts, type RunEvent, type RunSnapshot, type RunState } from '@agentpr/state-machine';
import { dialectOf, inTransaction, SQLITE_BUSY_TIMEOUT_MS, type DialectName } from './dialect.js';
import { eventWrites, planEvent, storedResult, type ApplyResult } from './events.js';
import { createPrivateDatabaseFile } from './private-file.js';
import type { Db, WebhookDeliveryRow } from './schema.js';

/**
 * The statements of the webhook's delivery path, behind one small interface so they run either through kysely
 * (any dialect; {@link kyselyDeliveryExecutor}) or on a dedicated SQLite connection that keeps its prepared
 * statements ({@link openSqliteDeliveryWriter}, the fast path). SQL uses `?` placeholders.
 */
export interface DeliveryExecutor {
  readonly dialect: DialectName;
  /** A query that returns rows (SELECT, or a write with RETURNING). */
  rows<R>(sql: string, parameters: readonly unknown[]): Promise<R[]>;
  /** The first row of such a query, or `undefined` (no array is built where the driver can step once). */
  row?<R>(sql: string, parameters: readonly unknown[]): Promise<R | undefined>;
  /** A write without rows. */
  exec(sql: string, parameters: readonly unknown[]): Promise<void>;
  /** Runs `fn` in one transaction (or in the current one when already inside). */
  transaction<T>(fn: (x: DeliveryExecutor) => Promise<T>): Promise<T>;
  /**
   * True when a transaction holds the database's write lock from its first statement (SQLite `BEGIN IMMEDIATE` on
   * the one delivery writer), so no other writer can come between a read and a write of it: a delivery can then be
   * looked up first and stored once, settled ({@link insertSettledDelivery}), instead of claimed and updated.
   */
  readonly exclusive?: boolean;
}

const pgCache = new Map<string, string>();
function toPostgres(sql: string): string {
  let cached = pgCache.get(sql);
  if (cached === undefined) {
    let n = 0;
    cached = sql.replace(/\?/g, () => `$${++n}`);
    pgCache.set(sql, cached);
  }
  return cached;
}

/** A {@link DeliveryExecutor} over a kysely handle or transaction: compiled SQL, no query builder. */
export function kyselyDeliveryExecutor(db: Db): DeliveryExecutor {
  const dialect = dialectOf(db);
  const compile = (sql: string, parameters: readonly unknown[]) => CompiledQuery.raw(dialect === 'postgres' ? toPostgres(sql) : sql, [...parameters]);
  const x: DeliveryExecutor = {
    dialect,
    rows: async <R>(sql: string, parameters: readonly unknown[]) => (await db.executeQuery<R>(compile(sql, parameters))).rows,
    exec: async (sql, parameters) => {
      await db.executeQuery(compile(sql, parameters));
    },
    transaction: (fn) => (db.isTransaction ? fn(x) : inTransaction(db, (trx) => fn(kyselyDeliveryExecutor(trx)))),
  };
  return x;
}

/** A dedicated SQLite connection for the delivery path; close it with the server. */
export interface SqliteDeliveryWriter extends DeliveryExecutor {
  close(): void;
}

/**
 * Opens a second connection to a SQLite store for the webhook's delivery path, with the store's settings (WAL,
 * busy timeout, foreign keys) and a cache of prepared statements — the kysely SQLite driver prepares every
 * statement anew, which is most of the cost of a delivery. Transactions start with `BEGIN IMMEDIATE` and run
 * one at a time. Only the delivery path may use it while a transaction of it is open (the process's kysely
 * connection would wait on the lock). WAL checkpoints (copying the log into the database file, with its
 * fsync) run on a worker thread's own connection ({@link startWalCheckpointer}) instead of inside the commits
 * of this thread, where they cost about a third of a delivery; this connection still checkpoints itself past
 * {@link WRITER_AUTOCHECKPOINT_PAGES}, should the worker fall behind. A writer that already runs on a thread of its own
 * (the webhook's delivery worker) passes `checkpoints: 'inline'`: SQLite's own autocheckpoint in its commits then
 * holds up only that thread, and no second thread (and heap) is started.
 */
export function openSqliteDeliveryWriter(path: string, options: { checkpoints?: 'thread' | 'inline' } = {}): SqliteDeliveryWriter {
  const file = resolve(path);
  createPrivateDatabaseFile(file);
  const require = createRequire(import.meta.url);
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const inline = options.checkpoints === 'inline';
  if (!inline) db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
  const checkpointer = inline ? undefined : startWalCheckpointer(file, require.resolve('better-sqlite3'));
  const cache = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  const rollback = db.prepare('rollback');
  let inside = false;
  let queue: Promise<unknown> = Promise.resolve();
  const writer: SqliteDeliveryWriter = {
    dialect: 'sqlite',
    exclusive: true,
    rows: async <R>(sql: string, parameters: readonly unknown[]) => statement(sql).all(...parameters) as R[],
    row: async <R>(sql: string, parameters: readonly unknown[]) => statement(sql).get(...parameters) as R | undefined,
    exec: async (sql, parameters) => {
      statement(sql).run(...parameters);
    },
    transaction<T>(fn: (x: DeliveryExecutor) => Promise<T>): Promise<T> {
      if (inside) return fn(writer);
      const run = async () => {
        begin.run();
        inside = true;
        try {
          const result = await fn(writer);
          commit.run();
          return result;
        } catch (error) {
          if (db.inTransaction) rollback.run();
          throw error;
        } finally {
          inside = false;
        }
      };
      const next = queue.then(run, run);
      queue = next.catch(() => {});
      return next;
    },
    close: () => {
      checkpointer?.stop();
      db.close();
    },
  };
  return writer;
}

/** The delivery writer checkpoints by itself only past this many WAL pages (SQLite's default is 1,000). */
export const WRITER_AUTOCHECKPOINT_PAGES = 4_000;

/** The checkpoint worker's code (CommonJS, run with `eval`): a PASSIVE checkpoint every interval. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyMs });
// A checkpoint copies log frames into the file; it needs no page cache of its own.
db.pragma('cache_size = -256');
let timer;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {}
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

/**
 * Starts a worker thread that checkpoints the WAL of `file` every 100 ms on its own connection. PASSIVE only: it
 * never waits for (nor blocks) the writer. (A RESTART checkpoint here blocked the writer's `BEGIN IMMEDIATE` and
 * measured worse.) Under constant writes the log may not get restarted by these alone; the writer's own
 * autocheckpoint past {@link WRITER_AUTOCHECKPOINT_PAGES} bounds it, and finds little left to copy. The worker does
 * not keep the process alive; `stop` closes its connection and ends it.
 */
export function startWalCheckpointer(file: string, driver: string, intervalMs = 100): { stop(): void } {
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { file, driver, busyMs: SQLITE_BUSY_TIMEOUT_MS, intervalMs },
    // A few kilobytes of script: the smallest heap keeps the thread's resident memory low.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
  });
  worker.unref();
  // A failing checkpointer only means the writer's own autocheckpoint takes over.
  worker.on('error', () => {});
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}

function executor(db: Db | DeliveryExecutor): DeliveryExecutor {
  return 'rows' in db && typeof db.rows === 'function' ? db : kyselyDeliveryExecutor(db as Db);
}

/** The first row of a query through `x` (one step of a cached statement on the SQLite writer). */
async function first<R>(x: DeliveryExecutor, sql: string, parameters: readonly unknown[]): Promise<R | undefined> {
  if (x.row) return x.row<R>(sql, parameters);
  const [row] = await x.rows<R>(sql, parameters);
  return row;
}

const SQL = {
  claim:
    'insert into webhook_deliveries (source, delivery_id, event_type, payload_sha256, received_at, outcome, detail_json) values (?, ?, ?, ?, ?, null, null) on conflict (source, delivery_id) do nothing returning id',
  existing: 'select id, payload_sha256, outcome, received_at from webhook_deliveries where source = ? and delivery_id = ?',
  finish: 'update webhook_deliveries set outcome = ?, detail_json = ? where id = ?',
  insertSettled:
    'insert into webhook_deliveries (source, delivery_id, event_type, payload_sha256, received_at, outcome, detail_json) values (?, ?, ?, ?, ?, ?, ?)',
  lockState: 'select current_state, last_error, last_active_state, held_facts_json from run_states where run_id = ? for update',
  insertEvent:
    'insert into events (run_id, event_type, idempotency_key, payload_json, applied, reason, actor, created_at, from_state, to_state) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (run_id, idempotency_key) do nothing returning event_id',
  updateState: 'update run_states set current_state = ?, last_error = ?, last_active_state = ?, held_facts_json = ?, updated_at = ? where run_id = ?',
  touchRun: 'update runs set updated_at = ? where run_id = ?',
  linkRun: 'update runs set updated_at = ?, pr_number = ? where run_id = ?',
  headCandidates: `select r.run_id from runs r join run_states s on s.run_id = r.run_id
    where r.owner_key = ? and r.repo_key = ? and r.pr_number is not null and s.current_state not in ('DONE', 'SKIPPED', 'FAILED_TERMINAL')
    order by r.updated_at desc, r.run_id desc limit 50`,
};
const RUN_VIEW = `select r.run_id, r.owner, r.repo, r.pr_number, s.current_state, s.last_error, s.last_active_state, s.held_facts_json,
    (select a.metadata_json from artifacts a where a.run_id = r.run_id and a.artifact_type = 'branch' order by a.id desc limit 1) as branch_meta
    from runs r join run_states s on s.run_id = r.run_id`;
const BY_PR = `${RUN_VIEW} where r.owner_key = ? and r.repo_key = ? and r.pr_number = ? order by r.updated_at desc, r.run_id desc limit 1`;
const BY_ID = `${RUN_VIEW} where r.run_id = ?`;

/** A delivery to claim. `received_at` is an ISO timestamp. */
export interface NewDelivery {
  source: string;
  deliveryId: string;
  eventType: string;
  payloadSha256: string;
  receivedAt: string;
}

/** The outcome of {@link claimDelivery}. */
export type ClaimResult =
  | { claimed: true; id: number }
  | { claimed: false; existing: Pick<WebhookDeliveryRow, 'id' | 'payload_sha256' | 'outcome' | 'received_at'> };

/**
 * Claims a delivery id: inserts the row unless `(source, delivery_id)` exists. Call it inside the transaction
 * that applies the delivery's events, so a crash or an error rolls back the claim with the events and GitHub's
 * retry is processed again. Concurrent claims of one id (several webhook processes on PostgreSQL) are decided
 * by the unique key: the loser waits for the winner's commit and then sees its row.
 */
export async function claimDelivery(db: Db | DeliveryExecutor, delivery: NewDelivery): Promise<ClaimResult> {
  const x = executor(db);
  const { source, deliveryId, eventType, payloadSha256, receivedAt } = delivery;
  const inserted = await first<{ id: number }>(x, SQL.claim, [source, deliveryId, eventType, payloadSha256, receivedAt]);
  if (inserted) return { claimed: true, id: Number(inserted.id) };
  const existing = await first<Pick<WebhookDeliveryRow, 'id' | 'payload_sha256' | 'outcome' | 'received_at'>>(x, SQL.existing, [delivery.source, delivery.deliveryId]);
  if (!existing) throw new Error(`delivery ${delivery.deliveryId} conflicted but cannot be read`);
  return { claimed: false, existing: { ...existing, id: Number(existing.id) } };
}

/** The stored delivery of `(source, deliveryId)`, as {@link claimDelivery} reports it, or `undefined`. */
export async function lookupDelivery(
  db: Db | DeliveryExecutor,
  source: string,
  deliveryId: string,
): Promise<Pick<WebhookDeliveryRow, 'id' | 'payload_sha256' | 'outcome' | 'received_at'> | undefined> {
  const row = await first<Pick<WebhookDeliveryRow, 'id' | 'payload_sha256' | 'outcome' | 'received_at'>>(executor(db), SQL.existing, [source, deliveryId]);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/**
 * Stores a delivery already settled, in one INSERT: the claim and its outcome together. Only inside a transaction
 * of an {@link DeliveryExecutor.exclusive} executor, after {@link lookupDelivery} found no row (the unique key still
 * refuses a second row, failing the transaction).
 */
export async function insertSettledDelivery(db: Db | DeliveryExecutor, delivery: NewDelivery, outcome: string, detail: Record<string, unknown>): Promise<void> {
  const { source, deliveryId, eventType, payloadSha256, receivedAt } = delivery;
  await executor(db).exec(SQL.insertSettled, [source, deliveryId, eventType, payloadSha256, receivedAt, outcome, JSON.stringify(detail)]);
}

/** Records what processing a claimed delivery did (`processed`, `ignored`, `refused`) and why. */
export async function finishDelivery(db: Db | DeliveryExecutor, id: number, outcome: string, detail: Record<string, unknown>): Promise<void> {
  await executor(db).exec(SQL.finish, [outcome, JSON.stringify(detail), id]);
}

/** A stored delivery, or `undefined`. */
export async function getDelivery(db: Db, source: string, deliveryId: string): Promise<WebhookDeliveryRow | undefined> {
  const row = await db.selectFrom('webhook_deliveries').selectAll().where('source', '=', source).where('delivery_id', '=', deliveryId).executeTakeFirst();
  return row ? { ...row, id: Number(row.id) } : undefined;
}

/** The newest deliveries of a source, optionally with one outcome (e.g. `ignored` or `refused` for inspection). */
export async function listDeliveries(db: Db, options: { source?: string; outcome?: string; limit: number }): Promise<WebhookDeliveryRow[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('source', '=', options.source ?? 'github');
  if (options.outcome) query = query.where('outcome', '=', options.outcome);
  const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Deletes a source's deliveries received before `cutoff` (an ISO timestamp); returns how many. */
export async function deleteDeliveriesBefore(db: Db, source: string, cutoff: string): Promise<number> {
  const result = await db.deleteFrom('webhook_deliveries').where('source', '=', source).where('received_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** What the webhook needs to know about a run, read in one query: identity, PR, state and pushed head. */
export interface DeliveryRun {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number | null;
  /** The state as of this transaction; {@link recordDeliveryEvent} keeps it current. */
  snapshot: RunSnapshot;
  /** `sha` of the run's latest `branch` artefact, lower-cased. */
  pushedHead: string | null;
}

interface RunViewRow {
  run_id: string;
  owner: string;
  repo: string;
  pr_number: number | string | null;
  current_state: string;
  last_error: string | null;
  last_active_state: string | null;
  held_facts_json: string | null;
  branch_meta: string | null;
}

type StateRow = Pick<RunViewRow, 'current_state' | 'last_error' | 'last_active_state' | 'held_facts_json'>;

function toSnapshot(row: StateRow): RunSnapshot {
  return {
    state: row.current_state as RunState,
    lastError: row.last_error,
    lastActiveState: row.last_active_state as RunState | null,
    heldFacts: parseHeldFacts(row.held_facts_json),
  };
}

async function toView(x: DeliveryExecutor, row: RunViewRow | undefined): Promise<DeliveryRun | undefined> {
  if (!row) return undefined;
  let pushedHead: string | null = null;
  if (row.branch_meta) {
    try {
      const sha = (JSON.parse(row.branch_meta) as { sha?: unknown }).sha;
      pushedHead = typeof sha === 'string' && sha ? sha.toLowerCase() : null;
    } catch {
      pushedHead = null;
    }
  }
  let snapshot = toSnapshot(row);
  if (x.dialect === 'postgres') {
    // Lock the state row for the rest of the transaction and read it again under the lock.
    const locked = await first<StateRow>(x, SQL.lockState, [row.run_id]);
    if (!locked) return undefined;
    snapshot = toSnapshot(locked);
  }
  return { run_id: row.run_id, owner: row.owner, repo: row.repo, pr_number: row.pr_number === null ? null : Number(row.pr_number), snapshot, pushedHead };
}

/**
 * The most recently updated run of `owner/repo` (case-insensitive, as GitHub compares names) with this PR number, with its state and
 * pushed head — one query. On PostgreSQL the state row is locked for the transaction.
 */
export async function findDeliveryRun(db: Db | DeliveryExecutor, match: { owner: string; repo: string; prNumber: number }): Promise<DeliveryRun | undefined> {
  const x = executor(db);
  return toView(x, await first<RunViewRow>(x, BY_PR, [match.owner.toLowerCase(), match.repo.toLowerCase(), match.prNumber]));
}

/** Like {@link findDeliveryRun}, by run id. */
export async function getDeliveryRun(db: Db | DeliveryExecutor, runId: string): Promise<DeliveryRun | undefined> {
  const x = executor(db);
  return toView(x, await first<RunViewRow>(x, BY_ID, [runId]));
}

/**
 * Non-terminal runs of `owner/repo` (case-insensitive) that have a PR and pushed `headSha`: how a status, or a
 * fork PR's check suite (which names no PR), finds its runs.
 */
export async function findDeliveryRunsByHead(db: Db | DeliveryExecutor, match: { owner: string; repo: string; headSha: string }): Promise<DeliveryRun[]> {
  const x = executor(db);
  const ids = await x.rows<{ run_id: string }>(SQL.headCandidates, [match.owner.toLowerCase(), match.repo.toLowerCase()]);
  const found: DeliveryRun[] = [];
  for (const { run_id } of ids) {
    const view = await getDeliveryRun(x, run_id);
    if (view && view.pushedHead === match.headSha.toLowerCase()) found.push(view);
  }
  return found;
}

/** Event types {@link recordDeliveryEvent} applies: the GitHub facts and the re-link of a pushed run. */
export type DeliveryEvent = Extract<RunEvent, { type: 'github.check.completed' | 'github.review.submitted' | 'github.pull_request.closed' | 'command.pr.linked' }>;

/**
 * Applies one event to a run read with {@link findDeliveryRun}, inside the caller's transaction: the decision is
 * `planEvent`/`eventWrites` of events.ts, the same as `applyEvents` with a supplied key and `optional: true`,
 * run through the executor's cached statements: a duplicate key changes
 * nothing; a stale head, an illegal move or no target of a github event is stored with `applied: false`;
 * `storeOnly` stores without applying; a refused `command.pr.linked` is reported and not stored. At most three
 * statements. Updates `target.snapshot` so the next event in the transaction sees the new state.
 */
export async function recordDeliveryEvent(
  db: Db | DeliveryExecutor,
  target: DeliveryRun,
  input: { event: DeliveryEvent; idempotencyKey: string; storeOnly?: { reason: string; message?: string } },
  now: string,
): Promise<ApplyResult> {
  const x = executor(db);
  const { event } = input;
  const from = target.snapshot.state;
  const prev = target.snapshot;
  const plan = planEvent(prev, input, { runId: target.run_id, pushedHeadSha: target.pushedHead });
  if (plan.kind === 'refused') {
    const refused = { code: plan.code, message: plan.message };
    return { event_type: event.type, run_id: target.run_id, from, duplicate: false, state: from, last_error: prev.lastError, refused };
  }
  const { next } = plan;
  const inserted = await first<{ event_id: number }>(x, SQL.insertEvent, [
    target.run_id,
    event.type,
    input.idempotencyKey,
    JSON.stringify(eventPayload(event)),
    plan.applied ? 1 : 0,
    plan.reason ?? null,
    event.actor ?? null,
    now,
    plan.applied ? from : null,
    plan.applied ? next.state : null,
  ]);
  if (!inserted) return { event_type: event.type, run_id: target.run_id, from, duplicate: true, state: prev.state, last_error: prev.lastError };
  // The same decisions as applyEvents, through this executor's cached statements.
  const writes = eventWrites(prev, plan, event);
  if (writes.state) await x.exec(SQL.updateState, [next.state, next.lastError, next.lastActiveState, serializeHeldFacts(next.heldFacts), now, target.run_id]);
  if (writes.linkPr !== undefined) {
    await x.exec(SQL.linkRun, [now, writes.linkPr, target.run_id]);
    target.pr_number = writes.linkPr;
  } else if (writes.touchRun) {
    await x.exec(SQL.touchRun, [now, target.run_id]);
  }
  target.snapshot = next;
  return storedResult(target.run_id, event, from, plan, Number(inserted.event_id));
}
