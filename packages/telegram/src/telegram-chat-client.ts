import { Api, NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { redactSecrets, tokenSecrets } from './bot-token.js';
import type { BotIdentity, ChatClient, OutgoingMessage } from './chat-client.js';
import { TelegramError } from './errors.js';

/** How to reach the Bot API. */
export interface TelegramChatClientOptions {
  token: string;
  /** Bot API origin, e.g. a self-hosted Bot API server or a test fake. Default `https://api.telegram.org`. */
  apiUrl?: string | undefined;
  /** Extra HTTP time allowed beyond a long poll's server-side wait. Default 15 s. */
  pollSlackSec?: number;
  /** HTTP timeout of every other call. Default 30 s. */
  requestTimeoutMs?: number;
  /** Injected fetch (tests). Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** The Telegram origin used when no `apiUrl` is given. */
export const TELEGRAM_API_URL = 'https://api.telegram.org';

/**
 * A {@link ChatClient} over `node-telegram-bot-api` 2.x (`Api`). The library's own polling and retries are
 * off: the bot calls `getUpdates` itself so that it owns the offset, and retries with its own backoff so that
 * every failure is audited. A long poll's HTTP timeout is its server wait plus 15 s. Errors become
 * `TelegramError`s whose messages never contain the token.
 *
 * @example
 * const chat = createTelegramChatClient({ token: env.AGENTPR_TELEGRAM_BOT_TOKEN!, apiUrl: 'http://127.0.0.1:8081' });
 * const me = await chat.getMe();
 */
export function createTelegramChatClient(options: TelegramChatClientOptions): ChatClient {
  const secrets = tokenSecrets(options.token);
  const baseFetch = options.fetch ?? globalThis.fetch;
  const slackMs = (options.pollSlackSec ?? 15) * 1000;
  // The library caps a long poll at its wait + 10 s; the poll's own signal (wait + 15 s, plus the caller's
  // abort) replaces the library's for getUpdates.
  let pollSignal: AbortSignal | undefined;
  const fetchWithPollTimeout: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (pollSignal && url.endsWith('/getUpdates')) return baseFetch(input, { ...init, signal: pollSignal });
    return baseFetch(input, init);
  };
  const api = new Api(options.token.trim(), {
    apiRoot: options.apiUrl?.trim() || TELEGRAM_API_URL,
    fetch: fetchWithPollTimeout,
    timeoutMs: options.requestTimeoutMs ?? 30_000,
    maxRetries: 0,
  });

  const call = async <T>(method: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw toTelegramError(method, error, secrets);
    }
  };

  return {
    async getMe(signal) {
      const me = await call('getMe', () => api.getMe(signal), signal);
      return { id: me.id, username: me.username } satisfies BotIdentity;
    },
    async getUpdates(params, signal) {
      const timeouts = [AbortSignal.timeout(params.timeoutSec * 1000 + slackMs)];
      if (signal) timeouts.push(signal);
      pollSignal = AbortSignal.any(timeouts);
      try {
        const request: { timeout: number; offset?: number; limit?: number } = { timeout: params.timeoutSec };
        if (params.offset !== undefined) request.offset = params.offset;
        if (params.limit !== undefined) request.limit = params.limit;
        const result = await call('getUpdates', () => api.getUpdates(request, signal), signal);
        if (!Array.isArray(result)) throw new TelegramError('bad_response', 'getUpdates: Telegram returned a result that is not a list.');
        return result as unknown[];
      } finally {
        pollSignal = undefined;
      }
    },
    async sendMessage(message: OutgoingMessage, signal) {
      const params: Parameters<Api['sendMessage']>[0] = {
        chat_id: message.chatId,
        text: message.text,
        link_preview_options: { is_disabled: true },
      };
      if (message.buttons && message.buttons.length > 0) {
        params.reply_markup = {
          inline_keyboard: message.buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.callbackData }))),
        };
      }
      const sent = await call('sendMessage', () => api.sendMessage(params, signal), signal);
      return { messageId: typeof sent?.message_id === 'number' ? sent.message_id : undefined };
    },
    async answerCallbackQuery(params, signal) {
      const request: { callback_query_id: string; text?: string } = { callback_query_id: params.callbackQueryId };
      if (params.text) request.text = params.text;
      await call('answerCallbackQuery', () => api.answerCallbackQuery(request, signal), signal);
    },
  };
}

function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ');
}

/** Maps a `node-telegram-bot-api` failure to a `TelegramError` with an operator-facing message. */
function toTelegramError(method: string, error: unknown, secrets: readonly string[]): TelegramError {
  const clean = (text: string) => redactSecrets(text, secrets);
  if (error instanceof TelegramError) return error;
  if (error instanceof TelegramApiError) {
    const status = error.errorCode;
    const description = clean(error.description ?? '');
    if (status === 401) {
      return new TelegramError(
        'bad_token',
        `Telegram rejected the bot token (401 ${description || 'Unauthorized'}). Check AGENTPR_TELEGRAM_BOT_TOKEN or --telegram-token; if the token was revoked, get a new one from @BotFather.`,
        { status },
      );
    }
    if (status === 409) {
      return new TelegramError(
        'conflict',
        `Telegram refused ${method} (409 ${description || 'Conflict'}): another process is polling this bot token, or a webhook is set for it. Stop the other agentpr-bot (one poller per token), or delete the webhook with the Bot API method deleteWebhook.`,
        { status },
      );
    }
    if (status === 429) {
      const retryAfterSec = error.retryAfter;
      return new TelegramError('rate_limited', `Telegram rate-limited ${method} (429): retry after ${retryAfterSec ?? 1} s.`, { status, retryAfterSec });
    }
    if (status === 404 && method === 'getMe') {
      return new TelegramError('api_error', `Telegram answered getMe with 404 ${description}: the token or --telegram-api-url is wrong.`, { status });
    }
    return new TelegramError('api_error', `Telegram refused ${method} (${status} ${description}).`, { status });
  }
  if (error instanceof TimeoutError) return new TelegramError('timeout', `${method} timed out.`, { cause: error });
  if (error instanceof ParseError) {
    return new TelegramError('bad_response', `${method}: the Bot API answered with something that is not JSON; check --telegram-api-url.`);
  }
  if (error instanceof NetworkError) return new TelegramError('network', clean(`${method} failed: ${causeText(error)}`));
  return new TelegramError('network', clean(`${method} failed: ${causeText(error)}`));
}
