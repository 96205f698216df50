/** What went wrong in the Anthropic stub. Match on `code`, not on the class. */
export type AnthropicStubErrorCode = 'invalid_scenario' | 'scenario_not_found' | 'listen_failed';

/** An expected anthropic-stub failure, with a one-line message that says what to fix. */
export class AnthropicStubError extends Error {
  override readonly name = 'AnthropicStubError';
  readonly code: AnthropicStubErrorCode;
  /** Validation issues as `path.to.field: message`, for `invalid_scenario`. */
  readonly issues: string[];

  constructor(code: AnthropicStubErrorCode, message: string, options: { issues?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.issues = options.issues ?? [];
  }
}
