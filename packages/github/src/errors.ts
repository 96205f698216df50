/** What went wrong talking to GitHub. Match on `code`, not on the class. */
export type GitHubErrorCode =
  | 'token_missing'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'invalid_response';

/**
 * An expected GitHub failure with a message fit to show an operator. Messages never contain the token.
 */
export class GitHubError extends Error {
  override readonly name = 'GitHubError';
  readonly code: GitHubErrorCode;
  /** The HTTP status, when GitHub answered. */
  readonly status: number | undefined;

  constructor(code: GitHubErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}
