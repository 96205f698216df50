import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startFakeBotApi, startTelegramTestApi, tempDir, type TelegramTestApi } from '@agentpr/testing';
import { command as runTelegramBotCommand } from '../commands/run-telegram-bot.js';

const BOT_BIN = fileURLToPath(new URL('../../dist/agentpr-bot.js', import.meta.url));
const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';
const CHAT = 4242;

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startBin(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BOT_BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let running: Proc | undefined;
afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.exit;
  }
  running = undefined;
  cleanupTempDirs();
});

describe('agentpr-bot (built binary) against telegram-test-api', () => {
  let api: TelegramTestApi;
  beforeEach(async () => {
    api = await startTelegramTestApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  const replies = () => api.server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(CHAT)).map((m) => String(m.message.text));

  async function startBot(): Promise<{ proc: Proc; data: string }> {
    const data = tempDir('agentpr-data-');
    const proc = startBin(['--data-dir', data, '--skip-doctor', '--telegram-api-url', api.apiUrl, `--allow-chat-id=${CHAT}`, '--idle-sleep-sec', '1'], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
    await waitFor(() => proc.stderr().includes('telegram bot 5550001:'), 'the start line');
    const client = api.server.getClient(TOKEN, { chatId: CHAT, userId: CHAT });
    await client.sendMessage(client.makeMessage('/list'));
    await waitFor(() => replies().length > 0, 'the /list reply');
    return { proc, data };
  }

  it('answers a command, then SIGTERM stops it with exit 0 and a JSON summary', async () => {
    const { proc, data } = await startBot();
    running = proc;
    expect(replies()[0]).toMatch(/^No runs yet/);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(JSON.parse(proc.stdout())).toMatchObject({ ok: true, bot_id: '5550001', commands: 1, audit_log_file: join(data, 'reports', 'telegram_audit.jsonl') });
    expect(readFileSync(join(data, 'reports', 'telegram_audit.jsonl'), 'utf8')).toContain('"command":"list","outcome":"ok"');
    expect(proc.stdout() + proc.stderr()).not.toContain('AAFakeSecret');
  });

  it('Ctrl-C (SIGINT) stops it with exit 130', async () => {
    const { proc } = await startBot();
    running = proc;
    proc.child.kill('SIGINT');
    expect(await proc.exit).toBe(130);
  });
});

describe('agentpr-bot configuration and token errors', () => {
  it('without --allow-chat-id exits 2 and asks for it (or --allow-any-chat for development)', async () => {
    running = startBin(['--data-dir', tempDir(), '--skip-doctor'], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
    expect(await running.exit).toBe(2);
    expect(JSON.parse(running.stdout())).toMatchObject({ ok: false, code: 'usage', error: expect.stringMatching(/--allow-chat-id.*--allow-any-chat for local development only/) });
  });

  it('a group id given as --admin-user-id exits 2 with one line naming the flag, before contacting Telegram', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    try {
      running = startBin(['--data-dir', tempDir(), '--skip-doctor', '--allow-chat-id=-1001234567890', '--admin-user-id=-1001234567890', '--telegram-api-url', fake.apiUrl], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
      expect(await running.exit).toBe(2);
      expect(running.stdout().trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(running.stdout())).toMatchObject({ ok: false, code: 'usage', error: expect.stringMatching(/^--admin-user-id "-1001234567890" is not a Telegram user id; give the positive integer id/) });
      expect(running.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^agentpr: --admin-user-id "-1001234567890" is not a Telegram user id/)]);
      expect(fake.requests).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });

  it('--allow-user-id, --write-user-id and --admin-user-id are accepted and announced on the start line', async () => {
    const fake = await startFakeBotApi({ token: TOKEN, maxPollWaitMs: 100 });
    try {
      running = startBin(['--data-dir', tempDir(), '--skip-doctor', '--admin-chat-id=-1001234567890', '--allow-user-id', '5', '--write-user-id', '6', '--admin-user-id', '7', '--rate-limit-strangers', '3', '--telegram-api-url', fake.apiUrl], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
      const proc = running;
      await waitFor(() => proc.stderr().includes('in groups 3 allowed, 2 write, 1 admin user(s)'), 'the start line');
      proc.child.kill('SIGTERM');
      expect(await proc.exit).toBe(0);
      expect(JSON.parse(proc.stdout())).toMatchObject({ ok: true, strangerAttempts: 0, strangerUnaudited: 0 });
    } finally {
      await fake.close();
    }
  });

  it('without a token exits 1 naming --telegram-token and AGENTPR_TELEGRAM_BOT_TOKEN', async () => {
    running = startBin(['--data-dir', tempDir(), '--skip-doctor', '--allow-chat-id', '1']);
    expect(await running.exit).toBe(1);
    expect(running.stderr()).toMatch(/--telegram-token or set AGENTPR_TELEGRAM_BOT_TOKEN/);
  });

  it('a token Telegram rejects (401) exits 1 with advice and without printing the token', async () => {
    const fake = await startFakeBotApi({ token: '5550001:TheOnlyRightSecretxxxxxxxxxx' });
    try {
      running = startBin(['--data-dir', tempDir(), '--skip-doctor', '--allow-chat-id', '1', '--telegram-api-url', fake.apiUrl], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
      expect(await running.exit).toBe(1);
      expect(running.stderr()).toMatch(/rejected the bot token \(401.*check AGENTPR_TELEGRAM_BOT_TOKEN or --telegram-token/i);
      expect(running.stdout() + running.stderr()).not.toContain('AAFakeSecret');
    } finally {
      await fake.close();
    }
  });

  it('a second poller on the same token (409) exits 1 telling the operator to stop it or delete the webhook', async () => {
    const fake = await startFakeBotApi({ token: TOKEN });
    fake.failNext('getUpdates', { kind: 'api', status: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
    try {
      running = startBin(['--data-dir', tempDir(), '--skip-doctor', '--allow-chat-id', '1', '--telegram-api-url', fake.apiUrl], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
      expect(await running.exit).toBe(1);
      expect(running.stderr()).toMatch(/another process is polling this bot token, or a webhook is set/);
    } finally {
      await fake.close();
    }
  });
});

describe('run-telegram-bot documentation', () => {
  it('every run-telegram-bot flag is documented in the bot README', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../bot/README.md', import.meta.url)), 'utf8');
    const missing = Object.keys(runTelegramBotCommand.options).filter((name) => !readme.includes(`--${name}`));
    expect(missing).toEqual([]);
  });
});
