/**
 * What went wrong talking to Telegram or configuring the bot. Match on `code`, not on the class.
 *
 * - `bad_token`: Telegram answered 401; the token is wrong or revoked.
 * - `conflict`: Telegram answered 409; another process polls this token or a webhook is set.
 * - `rate_limited`: Telegram answered 429; `retryAfterSec` says how long to wait.
 * - `api_error`: any other `ok: false` answer (e.g. 400 chat not found, 403 bot blocked).
 * - `network` / `timeout` / `bad_response`: transport failures; retry with backoff.
 * - `invalid_config`: the bot's own settings are wrong (chat ids, token shape, limits).
 */
export type TelegramErrorCode =
  | 'bad_token'
  | 'conflict'
  | 'rate_limited'
  | 'api_error'
  | 'network'
  | 'timeout'
  | 'bad_response'
  | 'invalid_config';

/** An expected Telegram failure. Messages never contain the bot token. */
export class TelegramError extends Error {
  override readonly name = 'TelegramError';
  readonly code: TelegramErrorCode;
  /** HTTP-like error code from Telegram (`error_code`), when there was one. */
  readonly status: number | undefined;
  /** Seconds Telegram asked us to wait (429). */
  readonly retryAfterSec: number | undefined;

  constructor(
    code: TelegramErrorCode,
    message: string,
    options: { status?: number | undefined; retryAfterSec?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterSec = options.retryAfterSec;
  }
}

/** True for failures worth retrying with backoff: transport errors, timeouts, 429 and 5xx. */
export function isTransientTelegramError(error: unknown): boolean {
  if (!(error instanceof TelegramError)) return false;
  if (error.code === 'network' || error.code === 'timeout' || error.code === 'bad_response' || error.code === 'rate_limited') return true;
  return error.code === 'api_error' && (error.status ?? 0) >= 500;
}
