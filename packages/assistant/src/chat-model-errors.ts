import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ChatModelError } from './chat-model.js';

/** What the messages name. */
export interface ChatModelErrorContext {
  /** `scheme://host[:port]/path`, never a key or a query. */
  endpoint: string;
  model: string;
  timeoutMs: number;
}

const KEEP_WORKING = 'every other command keeps working.';

/**
 * The first errno-like `code` in an error's cause chain (undici nests it, sometimes inside an AggregateError);
 * `BAD_PORT` for a port fetch refuses to use (9, 25, 6000, …), which never leaves the machine.
 */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || error === null || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown; message?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (e.message === 'bad port') return 'BAD_PORT';
  const inner = networkCode(e.cause, depth + 1);
  if (inner) return inner;
  return Array.isArray(e.errors) ? e.errors.map((x) => networkCode(x, depth + 1)).find(Boolean) : undefined;
}

function networkReason(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'BAD_PORT':
      return 'fetch refuses this port; use another';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case undefined:
      return 'network error';
    default:
      return code;
  }
}

function statusError(error: APIError, at: ChatModelErrorContext): ChatModelError {
  const status = error.status ?? 0;
  const where = `The manager LLM at ${at.endpoint}`;
  if (status === 401 || status === 403) {
    return new ChatModelError('auth', `${where} refused the key (HTTP ${status}). Check AGENTPR_LLM_API_KEY; ${KEEP_WORKING}`, { cause: error });
  }
  if (status === 429) return new ChatModelError('rate_limited', `${where} is rate limiting (HTTP 429); try again in a minute. ${cap(KEEP_WORKING)}`, { cause: error });
  if (status >= 500) return new ChatModelError('server_error', `${where} failed (HTTP ${status}); try again later. ${cap(KEEP_WORKING)}`, { cause: error });
  return new ChatModelError(
    'bad_request',
    `${where} rejected the request (HTTP ${status}); is the model name "${at.model}" right? Check --llm-model / AGENTPR_LLM_MODEL and --llm-base-url; ${KEEP_WORKING}`,
    { cause: error },
  );
}

/** The one line for an answer that is not a chat completion (not JSON, or JSON of another shape). */
export function badResponseMessage(endpoint: string): string {
  return `The manager LLM at ${endpoint} sent something that is not a chat completion; is it an OpenAI-compatible endpoint? Every other command keeps working.`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? String(Math.round(ms / 100) / 10) : String(Math.round(ms / 1000));
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Maps anything the SDK threw to a {@link ChatModelError} with a one-line message naming the endpoint and what to
 * check. The server's own error text is left out: it may quote the key or the request.
 */
export function chatModelErrorFrom(error: unknown, at: ChatModelErrorContext): ChatModelError {
  if (error instanceof ChatModelError) return error;
  const where = `The manager LLM at ${at.endpoint}`;
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError')) {
    return new ChatModelError('aborted', `The request to the manager LLM at ${at.endpoint} was cancelled.`, { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ChatModelError('timeout', `${where} did not answer within ${seconds(at.timeoutMs)} s; ${KEEP_WORKING}`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    const reason = networkReason(networkCode(error));
    return new ChatModelError('unreachable', `${where} is unreachable (${reason}). Check --llm-base-url / AGENTPR_LLM_BASE_URL; ${KEEP_WORKING}`, { cause: error });
  }
  if (error instanceof APIError) return statusError(error, at);
  return new ChatModelError('bad_response', badResponseMessage(at.endpoint), { cause: error });
}
