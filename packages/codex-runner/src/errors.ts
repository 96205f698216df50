/** What went wrong in the codex runner. Match on `code`, not on the class. */
export type CodexRunnerErrorCode =
  | 'codex_not_found'
  | 'codex_probe_failed'
  | 'codex_unsupported'
  | 'invalid_template'
  | 'invalid_option'
  | 'isolation_unavailable'
  | 'workspace_busy';

/**
 * An expected codex-runner failure with a one-line message that says what to do. Most functions return results
 * instead; this is thrown only where a caller passed something unusable (a bad template, an unknown option).
 */
export class CodexRunnerError extends Error {
  override readonly name = 'CodexRunnerError';
  readonly code: CodexRunnerErrorCode;

  constructor(code: CodexRunnerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
