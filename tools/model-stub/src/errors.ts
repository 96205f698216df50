/** What went wrong in the model stub. Match on `code`, not on the class. */
export type ModelStubErrorCode = 'invalid_scenario' | 'scenario_not_found' | 'listen_failed';

/** An expected model-stub failure, with a one-line message that says what to fix. */
export class ModelStubError extends Error {
  override readonly name = 'ModelStubError';
  readonly code: ModelStubErrorCode;
  /** Validation issues as `path.to.field: message`, for `invalid_scenario`. */
  readonly issues: string[];

  constructor(code: ModelStubErrorCode, message: string, options: { issues?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}
