/** Error codes of the policy package. The CLI maps `invalid_json` to exit 2, the others to exit 1. */
export type PolicyErrorCode = 'invalid_json' | 'invalid_policy' | 'invalid_env_overrides' | 'unreadable';

/**
 * A policy or override file that cannot be used. The message is one line that names the file and the field:
 * `invalid JSON: <file>: <parser message>` or `<file>: run_agent_step.codex_sandbox: must be one of … (got "x")`.
 */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  /** The file concerned. */
  readonly file: string;
  /** Every problem found, each as `path.to.field: message`. */
  readonly issues: string[];

  constructor(code: PolicyErrorCode, message: string, options: { file: string; issues?: string[]; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.issues = options.issues ?? [];
  }
}
