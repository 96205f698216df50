import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { getServiceLease, openStore } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, startTelegramTestApi, tempDir, type TelegramTestApi, type TestDatabase } from '@agentpr/testing';
import { pollerLeaseName } from '../run-with-poller-lease.js';

// The standalone agentpr-bot, as a service manager starts it (built by `npx tsup` in apps/bot).
const BOT_BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';
const CHAT = 4242;
const LEASE_SEC = 3;

interface Bot {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
  /** Resolves with the first log message containing `text` (now or later). */
  logged(text: string): Promise<string>;
}

/** Starts one agentpr-bot process on the shared database, as host `host`, with its own data dir. */
function startBot(tdb: TestDatabase, api: TelegramTestApi, host: string): Bot {
  const args = ['--data-dir', tempDir(`agentpr-${host}-`), ...tdb.cliArgs, '--skip-doctor', '--telegram-api-url', api.apiUrl, `--allow-chat-id=${CHAT}`, '--idle-sleep-sec', '1', '--poller-lease-sec', String(LEASE_SEC)];
  const env = { PATH: process.env.PATH ?? '', HOME: tempDir('agentpr-home-'), AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_HOST_ID: host, AGENTPR_LOG_FORMAT: 'json' };
  const child = spawn(process.execPath, [BOT_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: Array<{ text: string; resolve: (msg: string) => void }> = [];
  const messages: string[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const msg = (JSON.parse(line) as { msg: string }).msg;
      messages.push(msg);
      for (const w of waiters.filter((x) => msg.includes(x.text))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    stdout: () => out,
    exit,
    logged: (text) => {
      const seen = messages.find((m) => m.includes(text));
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push({ text, resolve })),
        exit.then((code) => Promise.reject(new Error(`${host} exited ${code} before logging "${text}"; stderr: ${err}`))),
      ]);
    },
  };
}

const bots: Bot[] = [];
afterEach(async () => {
  for (const bot of bots.splice(0)) {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGKILL');
      await bot.exit;
    }
  }
  cleanupTempDirs();
});

describe.each(dialectsUnderTest())('one Telegram poller per token across processes on %s', (kind) => {
  it('the second bot stands by naming the first; after a SIGKILL of the first it takes over within one lease and answers', async () => {
    const api = await startTelegramTestApi();
    const tdb = await freshDatabase(kind);
    try {
      const replies = () => api.server.storage.botMessages.filter((m) => String(m.message.chat_id) === String(CHAT)).map((m) => String(m.message.text));
      const client = api.server.getClient(TOKEN, { chatId: CHAT, userId: CHAT });

      const a = startBot(tdb, api, 'host-a');
      bots.push(a);
      await a.logged('telegram bot 5550001 polling');
      const b = startBot(tdb, api, 'host-b');
      bots.push(b);
      const standby = await b.logged('telegram bot 5550001 stands by');
      expect(standby).toMatch(new RegExp(`^telegram bot 5550001 stands by: another poller holds telegram-poller:[0-9a-f]{16} \\(host host-a, pid ${a.child.pid}\\) until `));

      let answered = api.server.waitBotMessage();
      await client.sendMessage(client.makeMessage('/list'));
      await answered;
      expect(replies()).toHaveLength(1);
      expect(b.stderr()).not.toContain('telegram bot 5550001 polling');

      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      await a.exit;
      await b.logged('telegram bot 5550001 holds the poller lease');
      expect(Date.now() - killedAt).toBeLessThan(LEASE_SEC * 1000 + 2000);
      await b.logged('telegram bot 5550001 polling');
      answered = api.server.waitBotMessage();
      await client.sendMessage(client.makeMessage('/list'));
      await answered;
      expect(replies()).toHaveLength(2);

      b.child.kill('SIGTERM');
      expect(await b.exit).toBe(0);
      expect(JSON.parse(b.stdout())).toMatchObject({ ok: true, commands: 1, poller_terms: 1 });
      expect(a.stderr() + b.stderr() + b.stdout()).not.toContain('AAFakeSecret');
      const store = await openStore(tdb.location, { migrate: false });
      try {
        expect(await getServiceLease(store.db, pollerLeaseName(TOKEN))).toBeUndefined();
      } finally {
        await store.close();
      }
    } finally {
      await api.stop();
      await tdb.drop();
    }
  }, 60_000);
});
