import { sql } from 'kysely';
import { dialectOf, inTransaction } from './dialect.js';
import { lockRun } from './events.js';
import { runNotFound } from './errors.js';
import type { Db, StepAttemptRow } from './schema.js';
import { iso, systemClock, type Clock } from './time.js';

/** Bytes of each stored log stream. */
export const MAX_LOG_BYTES = 64 * 1024;

/**
 * The last `maxBytes` of `text`, preceded by a marker line that says how many bytes were cut. Never splits a
 * UTF-8 character.
 */
export function boundLog(text: string, maxBytes = MAX_LOG_BYTES): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let start = buf.length - maxBytes;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return `[agentpr: ${start} bytes truncated]\n${buf.subarray(start).toString('utf8')}`;
}

/**
 * A step execution to record. Most steps run no process of their own and only say whether they `succeeded`; a step
 * that ran one (the agent, git on a failed prepare or finish) also gives its `processExit`.
 */
export interface NewAttempt {
  runId: string;
  step: string;
  succeeded: boolean;
  /** The exit status of the process the step ran, when it ran one; stored as is (0 exactly when `succeeded`). */
  processExit?: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  grade?: string | null;
  reasonCode?: string | null;
  stage?: string | null;
  /** The engine, model and token usage of an agent attempt (issue 17's cost accounting); absent for other steps. */
  usage?: AttemptUsage | null;
}

/** What an agent attempt cost in tokens, as its engine reported it. */
export interface AttemptUsage {
  engine: string;
  model: string | null;
  inputTokens: number | null;
  cachedInputTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
}

/** The `exit_code` column: the process's own exit status when there was one, else 0 for success and 1 for failure. */
function exitColumn(attempt: Pick<NewAttempt, 'succeeded' | 'processExit'>): number {
  return attempt.processExit ?? (attempt.succeeded ? 0 : 1);
}

/** Whether a recorded attempt's step succeeded (its `exit_code` column is 0). */
export function attemptSucceeded(row: Pick<StepAttemptRow, 'exit_code'>): boolean {
  return row.exit_code === 0;
}

/** Records a step attempt; `attempt_no` is 1 + the highest for the run and step, computed in the same transaction. */
export async function recordAttempt(db: Db, attempt: NewAttempt, clock: Clock = systemClock): Promise<StepAttemptRow> {
  return inTransaction(db, async (trx) => {
    if (!(await lockRun(trx, attempt.runId))) throw runNotFound(attempt.runId);
    const row = await trx
      .selectFrom('step_attempts')
      .select(sql<number | null>`max(attempt_no)`.as('n'))
      .where('run_id', '=', attempt.runId)
      .where('step', '=', attempt.step)
      .executeTakeFirst();
    const values = {
      run_id: attempt.runId,
      step: attempt.step,
      attempt_no: Number(row?.n ?? 0) + 1,
      exit_code: exitColumn(attempt),
      stdout_log: boundLog(attempt.stdout),
      stderr_log: boundLog(attempt.stderr),
      duration_ms: Math.max(0, Math.trunc(attempt.durationMs)),
      grade: attempt.grade ?? null,
      reason_code: attempt.reasonCode ?? null,
      stage: attempt.stage ?? null,
      engine: attempt.usage?.engine ?? null,
      model: attempt.usage?.model ?? null,
      input_tokens: attempt.usage?.inputTokens ?? null,
      cached_input_tokens: attempt.usage?.cachedInputTokens ?? null,
      output_tokens: attempt.usage?.outputTokens ?? null,
      reasoning_tokens: attempt.usage?.reasoningTokens ?? null,
      created_at: iso(clock()),
    };
    const inserted = await trx.insertInto('step_attempts').values(values).returning('id').executeTakeFirstOrThrow();
    // The newest attempt is this one: a grade here is the run's latest verdict (the dashboard's verdict filter).
    if (values.grade !== null) await trx.updateTable('run_states').set({ last_verdict: values.grade }).where('run_id', '=', attempt.runId).execute();
    return { ...values, id: Number(inserted.id) };
  });
}

/**
 * Sets the verdict fields of an attempt recorded earlier (e.g. the preflight inside run-agent-step), and in the same
 * transaction the run's `last_verdict` to the grade of its newest graded attempt (which may be a later one).
 */
export async function setAttemptVerdict(db: Db, id: number, verdict: { grade: string; reasonCode: string; stage?: string | null }): Promise<void> {
  await inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('step_attempts')
      .set({ grade: verdict.grade, reason_code: verdict.reasonCode, ...(verdict.stage !== undefined ? { stage: verdict.stage } : {}) })
      .where('id', '=', id)
      .returning('run_id')
      .executeTakeFirst();
    if (!updated) return;
    const newest = trx
      .selectFrom('step_attempts')
      .select('grade')
      .where('run_id', '=', updated.run_id)
      .where('grade', 'is not', null)
      .orderBy('id', 'desc')
      .limit(1);
    await trx.updateTable('run_states').set({ last_verdict: newest }).where('run_id', '=', updated.run_id).execute();
  });
}

/**
 * How much of a run's attempt history the use cases read (attempt numbering, retry streaks, the manager's facts):
 * far more attempts than any retry budget lets a run make.
 */
export const ATTEMPT_HISTORY_LIMIT = 200;

/** The run's attempts, newest first, optionally for one step. */
export async function listAttempts(db: Db, runId: string, options: { limit: number; step?: string }): Promise<StepAttemptRow[]> {
  let query = db.selectFrom('step_attempts').selectAll().where('run_id', '=', runId);
  if (options.step) query = query.where('step', '=', options.step);
  const rows = await query.orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(normaliseAttempt);
}

/** A recorded step attempt without its two log streams: what the run's history, timing and verdicts read. */
export type AttemptSummary = Omit<StepAttemptRow, 'stdout_log' | 'stderr_log'>;

/** An {@link AttemptSummary} with the end of its stderr (the dashboard's timeline shows the last lines). */
export type AttemptSummaryWithStderrTail = AttemptSummary & {
  /** The last `stderrTailChars` characters of `stderr_log` (all of it when shorter). */
  stderr_tail: string;
};

/** Every `step_attempts` column but the logs (each up to {@link MAX_LOG_BYTES}). */
const SUMMARY_COLUMNS = [
  'id',
  'run_id',
  'step',
  'attempt_no',
  'exit_code',
  'duration_ms',
  'grade',
  'reason_code',
  'stage',
  'engine',
  'model',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'created_at',
] as const satisfies readonly (keyof AttemptSummary)[];

/** Options of {@link listAttemptSummaries}. */
export interface AttemptSummaryOptions {
  limit: number;
  step?: string;
  /** Also read the last this many characters of each attempt's stderr (`stderr_tail`); a positive integer. */
  stderrTailChars?: number;
}

/**
 * The run's attempts, newest first, optionally for one step, like {@link listAttempts} but without reading the
 * stdout and stderr tails (64 KiB each) that history, timing and verdict readers never use; with `stderrTailChars`,
 * only that much of the end of stderr is read (SQLite `substr(x, -n)`, PostgreSQL `right(x, n)`, in characters).
 */
export async function listAttemptSummaries(
  db: Db,
  runId: string,
  options: AttemptSummaryOptions & { stderrTailChars: number },
): Promise<AttemptSummaryWithStderrTail[]>;
export async function listAttemptSummaries(db: Db, runId: string, options: Omit<AttemptSummaryOptions, 'stderrTailChars'>): Promise<AttemptSummary[]>;
export async function listAttemptSummaries(db: Db, runId: string, options: AttemptSummaryOptions): Promise<AttemptSummary[] | AttemptSummaryWithStderrTail[]> {
  const tail = options.stderrTailChars;
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) throw new RangeError(`stderrTailChars must be a positive integer, got ${tail}`);
  let query = db.selectFrom('step_attempts').select(SUMMARY_COLUMNS).where('run_id', '=', runId);
  if (options.step) query = query.where('step', '=', options.step);
  query = query.orderBy('id', 'desc').limit(options.limit);
  if (tail === undefined) return (await query.execute()).map(normaliseSummary);
  const end = dialectOf(db) === 'postgres' ? sql<string>`right(stderr_log, ${tail})` : sql<string>`substr(stderr_log, ${-tail})`;
  const rows = await query.select(end.as('stderr_tail')).execute();
  return rows.map((row) => ({ ...normaliseSummary(row), stderr_tail: row.stderr_tail }));
}

/** Keeps an attempt's integers numbers (PostgreSQL returns some as strings). */
function normaliseSummary<T extends AttemptSummary>(row: T): T {
  const n = (value: number | null) => (value === null ? null : Number(value));
  return {
    ...row,
    id: Number(row.id),
    attempt_no: Number(row.attempt_no),
    exit_code: Number(row.exit_code),
    duration_ms: Number(row.duration_ms),
    input_tokens: n(row.input_tokens ?? null),
    cached_input_tokens: n(row.cached_input_tokens ?? null),
    output_tokens: n(row.output_tokens ?? null),
    reasoning_tokens: n(row.reasoning_tokens ?? null),
  };
}

/** Postgres returns integers from aggregates as strings; keep numbers numbers. */
export function normaliseAttempt(row: StepAttemptRow): StepAttemptRow {
  return normaliseSummary(row);
}
