import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, startFakeBotApi, tempDir, textSink } from '@agentpr/testing';
import { main } from '../main.js';

const TOKEN = '5550001:AAFakeSecretForTestsOnly_abcdefghijk';

afterEach(() => cleanupTempDirs());

/** Runs `agentpr-bot` in process; `stopWhen` aborts its signal with `SIGTERM` once it holds for stderr. */
async function bot(argv: string[], env: Record<string, string> = {}, stopWhen?: (stderr: string) => boolean) {
  const stdout = textSink();
  const stderr = textSink();
  const controller = new AbortController();
  const running = main(argv, { stdout, stderr, env: { PATH: process.env.PATH, HOME: tempDir('agentpr-home-'), ...env }, signal: controller.signal });
  if (stopWhen) {
    const deadline = Date.now() + 15_000;
    while (!stopWhen(stderr.text)) {
      if (Date.now() > deadline) throw new Error(`the bot never started; stderr: ${stderr.text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort('SIGTERM');
  }
  const code = await running;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('agentpr-bot main', () => {
  it('--help names the CLI command it is and lists the bot and global flags', async () => {
    const r = await bot(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^agentpr run-telegram-bot — /);
    for (const name of ['--allow-chat-id', '--admin-user-id', '--notify-interval-sec', '--llm-base-url', '--llm-model', '--data-dir', '--skip-doctor']) {
      expect(r.stdout).toContain(name);
    }
  });

  it('without an allowed chat exits 2 with the usage error as one line and a JSON envelope', async () => {
    const r = await bot(['--data-dir', tempDir(), '--skip-doctor'], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agentpr: .*--allow-chat-id/)]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'usage' });
  });

  it('a malformed --llm-base-url exits 2 with one line naming the flag, before Telegram is contacted', async () => {
    const argv = ['--data-dir', tempDir(), '--skip-doctor', '--allow-chat-id', '42', '--llm-base-url', 'ftp://example.com/v1', '--llm-model', 'gpt-4.1-mini'];
    const r = await bot(argv, { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN, AGENTPR_TELEGRAM_API_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agentpr: --llm-base-url: /)]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'usage' });
  });

  it('an unknown flag exits 2 naming it', async () => {
    const r = await bot(['--skip-doctor', '--allow-chat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--allow-chat'");
  });

  it('polls until SIGTERM, then exits 0 with the JSON summary; its logs are pino JSON lines without the token', async () => {
    const fake = await startFakeBotApi({ token: TOKEN, maxPollWaitMs: 100 });
    try {
      const data = tempDir('agentpr-data-');
      const r = await bot(['--data-dir', data, '--skip-doctor', '--allow-chat-id', '42', '--telegram-api-url', fake.apiUrl], { AGENTPR_TELEGRAM_BOT_TOKEN: TOKEN }, (err) =>
        err.includes('telegram bot 5550001:'));
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, bot_id: '5550001', commands: 0 });
      const logs = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; bin: string; msg: string; level: string });
      expect(logs.find((l) => l.msg.startsWith('telegram bot 5550001:'))).toMatchObject({ name: 'bot', bin: 'agentpr-bot', level: 'info' });
      expect(r.stdout + r.stderr).not.toContain('AAFakeSecret');
    } finally {
      await fake.close();
    }
  });
});
