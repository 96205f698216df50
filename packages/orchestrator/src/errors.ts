/**
 * Error codes of the use cases. The apps turn them into their own terms in one place each (the CLI's
 * `apps/cli/src/errors.ts` into exit codes); nothing in this package knows an exit code.
 */
export type AgentprErrorCode =
  | 'usage'
  | 'invalid_input'
  | 'invalid_json'
  | 'not_found'
  | 'refused'
  | 'gate_failed'
  | 'lease_held'
  | 'external_failed'
  | 'config'
  | 'io';

/** An expected failure of a use case, with a one-line message that says what to do. */
export class AgentprError extends Error {
  override readonly name = 'AgentprError';
  readonly code: AgentprErrorCode;
  /** Extra keys merged into the JSON error envelope (`{ok:false, error, ...details}`). */
  readonly details: Record<string, unknown>;

  constructor(code: AgentprErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** The code and one-line message of any error a use case let through, for records that keep failures as data. */
export function errorFacts(error: unknown): { code: string; message: string } {
  const e = error as { name?: string; code?: unknown; message?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = typeof e?.code === 'string' && (e.name === 'AgentprError' || e.name === 'StoreError') ? e.code : 'unexpected';
  return { code, message };
}
