/**
 * Error codes of the use cases. The CLI maps them to exit codes in one place: `usage`/`invalid_input`/
 * `invalid_json` → 2, everything else → 1 (or the external program's exit code when `exitCode` is set).
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
  /** Exit code to use instead of the code's default (e.g. an external program's exit code). */
  readonly exitCode: number | undefined;

  constructor(code: AgentprErrorCode, message: string, options: { details?: Record<string, unknown>; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.exitCode = options.exitCode;
  }
}
