import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';

/** A message the bot sent through a fake Bot API. */
export interface SentMessage {
  chat_id: number;
  text: string;
  reply_markup?: { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined;
}

/** A scripted failure for the next call of one Bot API method on {@link FakeBotApi}. */
export type BotApiFault =
  /** Answer `{ok:false, error_code, description}` with that HTTP status (e.g. 401, 409, 429). */
  | { kind: 'api'; status: number; description: string; retryAfterSec?: number }
  /** Answer a non-JSON body with this HTTP status (e.g. a 502 from a proxy). */
  | { kind: 'http'; status: number; body: string }
  /** Drop the connection without answering (a transport error for the client). */
  | { kind: 'drop' }
  /** Never answer (until `close()`): the client's own timeout must fire. */
  | { kind: 'hang' };

/** One request the fake received, with numbers parsed. */
export interface RecordedRequest {
  method: string;
  token: string;
  params: Record<string, unknown>;
}

/** Options of {@link startFakeBotApi}. */
export interface FakeBotApiOptions {
  /** The only token the fake accepts; every other token gets 401 Unauthorized. */
  token: string;
  /** `getMe` username. Default `agentpr_test_bot`. */
  username?: string;
  /** Longest server-side wait of a long poll, whatever the client asks (keeps tests fast). Default 1000 ms. */
  maxPollWaitMs?: number;
}

/**
 * A small Bot API server on 127.0.0.1 for the cases telegram-test-api cannot model: real offset semantics
 * (updates stay until a later `offset` confirms them, so a bot that forgets its offset sees them again),
 * `edited_message` updates, long polls that wait, and scripted failures (401, 409, 429, 5xx, dropped
 * connections). Start it with {@link startFakeBotApi}; call `close()` in `afterEach`.
 */
export class FakeBotApi {
  readonly apiUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every message the bot sent, in order. */
  readonly sent: SentMessage[] = [];
  /** Every `answerCallbackQuery` received. */
  readonly callbackAnswers: Array<{ callback_query_id: string; text?: string }> = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #options: Required<FakeBotApiOptions>;
  #updates: Array<Record<string, unknown> & { update_id: number }> = [];
  #nextUpdateId = 1000;
  #nextMessageId = 1;
  readonly #faults = new Map<string, BotApiFault[]>();
  readonly #waiters = new Set<() => void>();

  constructor(server: Server, apiUrl: string, options: FakeBotApiOptions) {
    this.#server = server;
    this.apiUrl = apiUrl;
    this.#options = { username: 'agentpr_test_bot', maxPollWaitMs: 1000, ...options };
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req, res) => void this.#handle(req, res));
  }

  /** Queues a raw update; `update_id` is assigned when missing. Returns the id. */
  pushUpdate(update: Record<string, unknown>): number {
    const id = typeof update.update_id === 'number' ? update.update_id : this.#nextUpdateId++;
    this.#updates.push({ ...update, update_id: id });
    for (const wake of this.#waiters) wake();
    return id;
  }

  /** Queues a text message from `chatId`. */
  pushMessage(chatId: number, text: string): number {
    return this.pushUpdate({ message: this.#message(chatId, text) });
  }

  /** Queues an edit of an earlier message (`edited_message`), which a bot must never run. */
  pushEditedMessage(chatId: number, text: string): number {
    return this.pushUpdate({ edited_message: { ...this.#message(chatId, text), edit_date: Math.floor(Date.now() / 1000) } });
  }

  /** Queues a tap on an inline button with `data` in `chatId`. */
  pushCallback(chatId: number, data: string): number {
    return this.pushUpdate({
      callback_query: { id: `cb${this.#nextMessageId}`, from: { id: chatId, is_bot: false, first_name: 'Op' }, message: this.#message(chatId, 'button'), data },
    });
  }

  /** Makes the next call(s) of `method` fail as scripted, in order. */
  failNext(method: string, ...faults: BotApiFault[]): void {
    this.#faults.set(method, [...(this.#faults.get(method) ?? []), ...faults]);
  }

  /** Updates not yet confirmed by an offset. */
  pendingUpdates(): number {
    return this.#updates.length;
  }

  /** The requests of one method. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** Stops the server, ending pending long polls and open connections. */
  async close(): Promise<void> {
    for (const wake of this.#waiters) wake();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #message(chatId: number, text: string): Record<string, unknown> {
    return {
      message_id: this.#nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
      from: { id: Math.abs(chatId), is_bot: false, first_name: 'Op' },
      text,
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const raw = await readBody(req);
    if (!match) return json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    const params = parseParams(raw, req.headers['content-type'] ?? '');
    this.requests.push({ method, token, params });
    const fault = this.#faults.get(method)?.shift();
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'http') {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(fault.body);
      return;
    }
    if (fault?.kind === 'api') {
      const body: Record<string, unknown> = { ok: false, error_code: fault.status, description: fault.description };
      if (fault.retryAfterSec !== undefined) body.parameters = { retry_after: fault.retryAfterSec };
      return json(res, fault.status, body);
    }
    if (token !== this.#options.token) return json(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    switch (method) {
      case 'getMe':
        return json(res, 200, { ok: true, result: { id: Number(token.split(':')[0]), is_bot: true, first_name: 'agentpr', username: this.#options.username } });
      case 'getUpdates':
        return json(res, 200, { ok: true, result: await this.#poll(params, res) });
      case 'sendMessage': {
        const message: SentMessage = { chat_id: Number(params.chat_id), text: String(params.text ?? '') };
        if (params.reply_markup) message.reply_markup = params.reply_markup as SentMessage['reply_markup'];
        if (!message.text) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
        if (message.text.length > 4096) return json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
        this.sent.push(message);
        return json(res, 200, { ok: true, result: { message_id: this.#nextMessageId++, chat: { id: message.chat_id }, text: message.text } });
      }
      case 'answerCallbackQuery': {
        const answer: { callback_query_id: string; text?: string } = { callback_query_id: String(params.callback_query_id) };
        if (typeof params.text === 'string') answer.text = params.text;
        this.callbackAnswers.push(answer);
        return json(res, 200, { ok: true, result: true });
      }
      default:
        return json(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
  }

  async #poll(params: Record<string, unknown>, res: ServerResponse): Promise<unknown[]> {
    const offset = typeof params.offset === 'number' ? params.offset : undefined;
    if (offset !== undefined) this.#updates = this.#updates.filter((u) => u.update_id >= offset);
    const limit = typeof params.limit === 'number' ? params.limit : 100;
    const waitMs = Math.min(Number(params.timeout ?? 0) * 1000, this.#options.maxPollWaitMs);
    if (this.#updates.length === 0 && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitMs);
        this.#waiters.add(wake);
        res.on('close', wake);
      });
    }
    return this.#updates.slice(0, limit);
  }
}

/** Starts a {@link FakeBotApi} on 127.0.0.1 at a free port. */
export async function startFakeBotApi(options: FakeBotApiOptions): Promise<FakeBotApi> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake Bot API: no port');
  return new FakeBotApi(server, `http://127.0.0.1:${address.port}`, options);
}

/** A running telegram-test-api server and what a test needs from it. */
export interface TelegramTestApi {
  /** The `TelegramServer` instance (see node_modules/telegram-test-api). */
  server: TelegramTestServer;
  /** Bot API origin to give the bot (`--telegram-api-url`). */
  apiUrl: string;
  stop(): Promise<void>;
}

/** The parts of telegram-test-api's `TelegramServer` the tests use. */
export interface TelegramTestServer {
  config: { apiURL: string };
  storage: { userMessages: Array<{ isRead: boolean; updateId: number }>; botMessages: Array<{ isRead: boolean; message: Record<string, unknown> }> };
  getClient(
    token: string,
    options?: { chatId?: number; userId?: number; timeout?: number; interval?: number },
  ): TelegramTestClient;
  start(): Promise<void>;
  stop(): Promise<boolean>;
  waitBotMessage(): Promise<void>;
}

/** telegram-test-api's user-side client. */
export interface TelegramTestClient {
  chatId: number;
  makeMessage(text: string, options?: Record<string, unknown>): Record<string, unknown>;
  makeCommand(text: string, options?: Record<string, unknown>): Record<string, unknown>;
  makeCallbackQuery(data: string, options?: Record<string, unknown>): Record<string, unknown>;
  sendMessage(message: Record<string, unknown>): Promise<unknown>;
  sendCommand(message: Record<string, unknown>): Promise<unknown>;
  sendCallback(message: Record<string, unknown>): Promise<unknown>;
  getUpdates(): Promise<{
    ok: boolean;
    result: Array<{ message: Record<string, unknown> & { text: string; chat_id: string | number; reply_markup?: unknown } }>;
  }>;
  getUpdatesHistory(): Promise<Array<Record<string, unknown>>>;
}

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/**
 * Starts the telegram-test-api emulator on 127.0.0.1. It treats port 0 as its default 9000, so a free port is
 * picked first (and picked again if another process takes it in between).
 */
export async function startTelegramTestApi(options: { storeTimeoutSec?: number } = {}): Promise<TelegramTestApi> {
  const mod = (await import('telegram-test-api')) as unknown as { default: unknown };
  const exported = mod.default as { default?: unknown };
  const Server = (exported.default ?? exported) as new (config: Record<string, unknown>) => TelegramTestServer;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const server = new Server({ port, host: '127.0.0.1', storeTimeout: options.storeTimeoutSec ?? 600 });
    try {
      await server.start();
      return { server, apiUrl: server.config.apiURL, stop: async () => void (await server.stop()) };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseParams(raw: string, contentType: string): Record<string, unknown> {
  let params: Record<string, unknown>;
  if (contentType.includes('application/json')) {
    try {
      params = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      params = {};
    }
  } else {
    params = Object.fromEntries(new URLSearchParams(raw));
  }
  for (const key of ['offset', 'limit', 'timeout', 'chat_id']) {
    if (typeof params[key] === 'string' && /^-?\d+$/.test(params[key] as string)) params[key] = Number(params[key]);
  }
  for (const key of ['reply_markup', 'link_preview_options']) {
    if (typeof params[key] === 'string') {
      try {
        params[key] = JSON.parse(params[key] as string);
      } catch {
        // keep the raw text
      }
    }
  }
  return params;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
