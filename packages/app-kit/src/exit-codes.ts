/**
 * How a command ended. {@link exitCodeFor} is the only place that turns it into a process exit code, as
 * {@link describeError} is for errors: use cases return typed results and the commands name the status.
 */
export type CommandStatus =
  /** Done as asked: 0. */
  | 'ok'
  /** Ran, but the result is a failure or a refusal (a failed gate, an unmet check): 1. */
  | 'failed'
  /** Bad flags or input; nothing changed: 2. */
  | 'usage'
  /** Another process holds the workspace or the run; try again later: 75 (EX_TEMPFAIL). */
  | 'busy'
  /** Stopped by Ctrl-C (SIGINT): 130. */
  | 'interrupted'
  /** An external program failed; its own exit code is passed on (never 0). */
  | { external: number };

/** The process exit code of a {@link CommandStatus}. */
export function exitCodeFor(status: CommandStatus): number {
  if (typeof status === 'object') return status.external === 0 ? 1 : status.external;
  switch (status) {
    case 'ok':
      return 0;
    case 'failed':
      return 1;
    case 'usage':
      return 2;
    case 'busy':
      return 75;
    case 'interrupted':
      return 130;
  }
}

/** What {@link describeError} makes of an error: its exit code, one line for a human, its code and JSON details. */
export interface DescribedError {
  exitCode: number;
  message: string;
  code: string;
  details: Record<string, unknown>;
}

/** Names of the expected-failure errors of the agentpr packages (matched by name so an app need not load them). */
const EXPECTED_ERRORS = new Set(['AgentprError', 'ReportError']);

/**
 * Exit code and one-line message for any error that reaches an app (CLI, webhook, bot, manager). With
 * {@link exitCodeFor}, the only place that decides exit codes.
 */
export function describeError(error: unknown): DescribedError {
  // Matched by name, not class, so the entry point does not load the orchestrator just to map errors.
  const a = error as { name?: string; code?: string; message?: string; details?: Record<string, unknown> };
  if (EXPECTED_ERRORS.has(a?.name ?? '') && typeof a.code === 'string') {
    const usage = a.code === 'usage' || a.code === 'invalid_input' || a.code === 'invalid_json';
    return { exitCode: usage ? 2 : 1, message: a.message ?? a.code, code: a.code, details: a.details ?? {} };
  }
  const e = error as { name?: string; code?: string; message?: string; runId?: string };
  if (e?.name === 'StoreError') {
    return { exitCode: e.code === 'invalid_input' ? 2 : 1, message: e.message ?? 'store error', code: e.code ?? 'store_error', details: {} };
  }
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    return { exitCode: 2, message: (e.message ?? 'invalid arguments').split('\n')[0]!, code: 'usage', details: {} };
  }
  const message = e?.message ? String(e.message).split('\n')[0]! : String(error);
  return { exitCode: 1, message: `unexpected error: ${message} (run with --debug for details)`, code: 'unexpected', details: {} };
}
