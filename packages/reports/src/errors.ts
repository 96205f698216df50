/** Error codes of the reports; the apps map them as they map the use cases' codes (`usage`/`invalid_json` → exit 2). */
export type ReportErrorCode = 'usage' | 'invalid_json' | 'not_found' | 'config' | 'io';

/**
 * An expected failure of a report, with a one-line message that says what to do. The apps match expected failures
 * by name and code (`@agentpr/app-kit` `describeError`), so a report's failure exits and reads exactly like a use
 * case's without the apps loading either package.
 */
export class ReportError extends Error {
  override readonly name = 'ReportError';
  readonly code: ReportErrorCode;
  /** Extra keys merged into the JSON error envelope (`{ok:false, error, ...details}`). */
  readonly details: Record<string, unknown>;

  constructor(code: ReportErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
