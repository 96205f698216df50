import { AgentprError } from '@agentpr/orchestrator';

/** Exit code and one-line message for any error that reaches the CLI. The only place that decides exit codes. */
export function describeError(error: unknown): { exitCode: number; message: string; code: string; details: Record<string, unknown> } {
  if (error instanceof AgentprError) {
    const usage = error.code === 'usage' || error.code === 'invalid_input' || error.code === 'invalid_json';
    return { exitCode: error.exitCode ?? (usage ? 2 : 1), message: error.message, code: error.code, details: error.details };
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
