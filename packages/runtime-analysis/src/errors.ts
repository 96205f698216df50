/** Error codes of the runtime analysis package. */
export type RuntimeAnalysisErrorCode = 'unreadable_stream' | 'invalid_input';

/**
 * An error of the runtime analysis. The analysis itself never throws on bad stream content (malformed lines
 * are counted); this is for a stream that cannot be read at all, or a caller passing impossible input.
 */
export class RuntimeAnalysisError extends Error {
  override readonly name = 'RuntimeAnalysisError';
  readonly code: RuntimeAnalysisErrorCode;
  /** The file concerned, when there is one. */
  readonly path: string | undefined;

  constructor(code: RuntimeAnalysisErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
