/** What went wrong in the store. Match on `code`, not on the class. */
export type StoreErrorCode =
  | 'run_not_found'
  | 'run_exists'
  | 'invalid_input'
  | 'refused'
  | 'lease_held'
  | 'schema_too_new'
  | 'not_a_database'
  | 'database_unreachable'
  | 'database_error';

/** An expected store failure with a message fit to show an operator. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  readonly runId: string | undefined;
  readonly data: Record<string, unknown>;

  constructor(code: StoreErrorCode, message: string, options: { runId?: string; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.runId = options.runId;
    this.data = options.data ?? {};
  }
}

/** Throws the standard "run not found" error. */
export function runNotFound(runId: string): StoreError {
  return new StoreError('run_not_found', `run ${runId} not found. Use list-runs to see existing runs.`, { runId });
}
