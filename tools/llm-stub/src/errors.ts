/** What went wrong in the LLM stub. Match on `code`, not on the class. */
export type LlmStubErrorCode = 'invalid_scenario' | 'scenario_not_found' | 'listen_failed';

/** An expected LLM-stub failure, with a one-line message that says what to fix. */
export class LlmStubError extends Error {
  override readonly name = 'LlmStubError';
  readonly code: LlmStubErrorCode;
  /** Validation issues as `path.to.field: message`, for `invalid_scenario`. */
  readonly issues: string[];

  constructor(code: LlmStubErrorCode, message: string, options: { issues?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}
