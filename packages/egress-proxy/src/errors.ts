/** What went wrong in the egress proxy. Match on `code`, not on the class. */
export type EgressProxyErrorCode = 'invalid_rule' | 'invalid_option' | 'socket_path_exists' | 'socket_dir_unsafe' | 'listen_failed' | 'bridge_missing';

/**
 * An expected egress-proxy failure with a one-line message that says what to do. Thrown only where a caller passed
 * something unusable (a bad rule, a socket path that already exists); traffic decisions are values, never throws.
 */
export class EgressProxyError extends Error {
  override readonly name = 'EgressProxyError';
  readonly code: EgressProxyErrorCode;

  constructor(code: EgressProxyErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
