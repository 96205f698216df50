import { spawn, type ChildProcess } from 'node:child_process';
import { startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import { BOT_BIN, globalArgs } from './cli.js';
import { BOT_TOKEN, type Fixtures } from './fixtures.js';

/** The admin chat of the test (the human who approves). */
export const ADMIN_CHAT = 7001;

/** A message the bot sent to the admin chat, with its inline buttons. */
export interface BotMessage {
  text: string;
  buttons: Array<{ text: string; data: string }>;
}

/** The built bot running against the local Telegram stand-in, and what the human does in the chat. */
export interface TelegramSession {
  api: TelegramTestApi;
  /** Every message the bot sent to the admin chat, oldest first. */
  messages(): BotMessage[];
  /** The human sends a text (a command) to the bot. */
  send(text: string): Promise<void>;
  /** The human taps an inline button. */
  tap(data: string): Promise<void>;
  /** Waits until a message after the first `after` ones matches. */
  waitMessage(match: (m: BotMessage) => boolean, what: string, options?: { after?: number; timeoutMs?: number }): Promise<BotMessage>;
  stderr(): string;
  stop(): Promise<void>;
}

async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts the Telegram stand-in (telegram-test-api) and the built `agentpr-bot` on the test's data dir, with one
 * admin chat that receives notifications every second. Resolves once the bot answered a first `/list`.
 */
export async function startTelegram(env: Record<string, string>, fx: Fixtures): Promise<TelegramSession> {
  const api = await startTelegramTestApi();
  // No --skip-doctor: offline, the bot's startup gate checks the Telegram API URL it will use (the stand-in).
  const args = [
    ...globalArgs(fx).filter((a) => a !== '--json'),
    '--telegram-api-url', api.apiUrl,
    `--allow-chat-id=${ADMIN_CHAT}`,
    `--admin-chat-id=${ADMIN_CHAT}`,
    '--idle-sleep-sec', '1',
    '--poll-timeout-sec', '1',
    '--notify-interval-sec', '1',
    '--rate-limit-per-chat', '200',
  ];
  const child: ChildProcess = spawn(process.execPath, [BOT_BIN, ...args], { env: { ...env, AGENTPR_TELEGRAM_BOT_TOKEN: BOT_TOKEN, AGENTPR_TELEGRAM_API_URL: api.apiUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = api.server.getClient(BOT_TOKEN, { chatId: ADMIN_CHAT, userId: ADMIN_CHAT });
  const messages = (): BotMessage[] =>
    api.server.storage.botMessages
      .filter((m) => String(m.message.chat_id) === String(ADMIN_CHAT))
      .map((m) => {
        const markup = m.message.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
        return { text: String(m.message.text), buttons: (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data })) };
      });
  const session: TelegramSession = {
    api,
    messages,
    send: async (text) => void (await client.sendMessage(client.makeMessage(text))),
    tap: async (data) => void (await client.sendCallback(client.makeCallbackQuery(data))),
    waitMessage: (match, what, options = {}) => waitFor(() => messages().slice(options.after ?? 0).find(match), what, options.timeoutMs ?? 20_000),
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await api.stop();
    },
  };
  try {
    await session.send('/list');
    await session.waitMessage(() => true, "the bot's first reply");
  } catch (error) {
    await session.stop();
    throw new Error(`${(error as Error).message}; the bot exited ${child.exitCode}, its output: ${stderr.slice(0, 800)}`, { cause: error });
  }
  return session;
}
