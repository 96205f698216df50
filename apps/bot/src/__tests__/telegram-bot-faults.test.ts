import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getBotState, getRun, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, startFakeBotApi, type FakeBotApi } from '@agentpr/testing';
import { createTelegramChatClient } from '@agentpr/telegram';
import { AgentprError, type AppContext } from '@agentpr/orchestrator';
import { botStateKeys } from '../bot-state-keys.js';
import { ADMIN, auditLines, BOT_ID, eventTypes, makeRun, startBot, testContext, TO_IMPLEMENTING, TOKEN, waitFor, WRITER, type RunningBot } from './bot-harness.js';

let fake: FakeBotApi;
let ctx: AppContext;
let store: OpenDatabase | undefined;
let drop: (() => Promise<void>) | undefined;
let bot: RunningBot | undefined;

beforeEach(async () => {
  fake = await startFakeBotApi({ token: TOKEN, maxPollWaitMs: 200 });
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  bot = undefined;
  await fake.close();
  await store?.close();
  await drop?.();
  store = undefined;
  drop = undefined;
  cleanupTempDirs();
});

const sentTo = (chatId: number) => fake.sent.filter((m) => m.chat_id === chatId).map((m) => m.text);

describe.each(dialectsUnderTest())('runTelegramBot against the node:http fake Bot API on %s', (kind) => {
  beforeEach(async () => {
    ({ ctx, store, drop } = await testContext(kind));
  });

  it('an edited message never runs its command; the next message does', async () => {
    await makeRun(ctx, 'run_edit01', TO_IMPLEMENTING);
    bot = startBot(ctx, { apiUrl: fake.apiUrl });
    const edited = fake.pushEditedMessage(WRITER, '/pause run_edit01');
    fake.pushMessage(WRITER, '/show run_edit01');
    await waitFor(() => auditLines(bot!.auditFile).length === 1, 'the /show audit line');
    expect(sentTo(WRITER)).toEqual([expect.stringContaining('state: IMPLEMENTING')]);
    expect(await eventTypes(ctx, 'run_edit01')).not.toContain('command.pause');
    expect(Number(await getBotState(ctx.db, botStateKeys.offset(BOT_ID)))).toBeGreaterThan(edited);
    expect(auditLines(bot.auditFile).map((l) => l.command)).toEqual(['show']);
  });

  it('a restarted bot polls from the stored offset, so an update handled before the restart is not run again', async () => {
    await makeRun(ctx, 'run_rst001', TO_IMPLEMENTING);
    // One bot handles the pause and is stopped right after its reply, before a next poll could confirm the
    // update to the server.
    const real = createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl });
    const holder: { first?: RunningBot } = {};
    const chat = {
      ...real,
      sendMessage: async (message: Parameters<typeof real.sendMessage>[0]) => {
        const sent = await real.sendMessage(message);
        void holder.first?.stop();
        return sent;
      },
    };
    const first = startBot(ctx, { apiUrl: fake.apiUrl, chat, options: { notifications: false } });
    holder.first = first;
    const id = fake.pushMessage(WRITER, '/pause run_rst001');
    await first.done;
    expect(await eventTypes(ctx, 'run_rst001')).toContain('command.pause');
    expect(fake.pendingUpdates()).toBe(1); // Telegram would deliver it again without an offset

    bot = startBot(ctx, { apiUrl: fake.apiUrl });
    fake.pushMessage(WRITER, '/show run_rst001');
    await waitFor(() => sentTo(WRITER).some((t) => t.includes('state: PAUSED')), 'the /show reply after the restart');
    expect(fake.calls('getUpdates').at(-1)!.params.offset).toBeGreaterThan(id);
    expect((await eventTypes(ctx, 'run_rst001')).filter((t) => t === 'command.pause')).toHaveLength(1);
  });

  it('transport errors while polling are audited as poll_error and retried with doubling backoff', async () => {
    const waits: number[] = [];
    fake.failNext('getUpdates', { kind: 'drop' }, { kind: 'http', status: 502, body: 'Bad Gateway' }, { kind: 'api', status: 500, description: 'Internal' });
    bot = startBot(ctx, {
      apiUrl: fake.apiUrl,
      options: {
        notifications: false,
        idleSleepMs: 10,
        maxBackoffMs: 25,
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, 1));
        },
      },
    });
    fake.pushMessage(ADMIN, '/help');
    await waitFor(() => sentTo(ADMIN).length === 1, 'the reply after the errors');
    const errors = auditLines(bot.auditFile).filter((l) => l.kind === 'poll_error');
    expect(errors).toHaveLength(3);
    expect(errors.map((e) => e.error).join('\n')).not.toContain('AAFakeSecret');
    expect(waits.slice(0, 3)).toEqual([10, 20, 25]);
  });

  it('a 409 stops the bot with a message about the other poller or the webhook', async () => {
    fake.failNext('getUpdates', { kind: 'api', status: 409, description: "Conflict: can't use getUpdates method while webhook is active" });
    bot = startBot(ctx, { apiUrl: fake.apiUrl });
    const error = await bot.done.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AgentprError);
    expect((error as AgentprError).code).toBe('config');
    expect((error as AgentprError).message).toMatch(/another process is polling this bot token, or a webhook is set.*deleteWebhook/);
    expect((error as AgentprError).message).not.toContain('AAFakeSecret');
  });

  it('a 401 stops the bot at start with a message to check the token, never printing it', async () => {
    bot = startBot(ctx, { apiUrl: fake.apiUrl, chat: createTelegramChatClient({ token: '5550001:AAWrongSecretWrongSecretWrong', apiUrl: fake.apiUrl }) });
    const error = (await bot.done.then(
      () => null,
      (e: unknown) => e,
    )) as AgentprError;
    expect(error.code).toBe('config');
    expect(error.message).toMatch(/rejected the bot token \(401.*AGENTPR_TELEGRAM_BOT_TOKEN or --telegram-token/);
    expect(error.message).not.toContain('AAWrongSecret');
    expect(fake.calls('getUpdates')).toHaveLength(0);
  });

  it('a 429 on a reply is retried once after retry_after; a send that still fails is audited as send_error', async () => {
    const waits: number[] = [];
    bot = startBot(ctx, {
      apiUrl: fake.apiUrl,
      options: {
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, 5));
        },
      },
    });
    fake.failNext('sendMessage', { kind: 'api', status: 429, description: 'Too Many Requests: retry after 2', retryAfterSec: 2 });
    fake.pushMessage(ADMIN, '/help');
    const help = await waitFor(() => auditLines(bot!.auditFile).find((l) => l.command === 'help'), 'the help audit line');
    expect(help).toMatchObject({ outcome: 'ok' });
    expect(sentTo(ADMIN)).toHaveLength(1);
    expect(waits).toContain(2000);

    fake.failNext('sendMessage', { kind: 'api', status: 429, description: 'Too Many Requests', retryAfterSec: 1 }, { kind: 'api', status: 403, description: 'Forbidden: bot was blocked by the user' });
    fake.pushMessage(ADMIN, '/list');
    const line = await waitFor(() => auditLines(bot!.auditFile).find((l) => l.command === 'list'), 'the send_error line');
    expect(line).toMatchObject({ outcome: 'send_error' });
    expect(line.detail).toMatch(/send failed: Telegram refused sendMessage \(403 Forbidden: bot was blocked by the user\)/);
  });

  it('stopping during a long poll ends the bot promptly and keeps the stored offset', async () => {
    fake = await (async () => {
      await fake.close();
      return startFakeBotApi({ token: TOKEN, maxPollWaitMs: 10_000 });
    })();
    await makeRun(ctx, 'run_stop01', TO_IMPLEMENTING);
    const settings = { pollTimeoutSec: 30, idleSleepSec: 1, listLimit: 20, rateLimitWindowSec: 60, rateLimitPerChat: 50, rateLimitGlobal: 500 };
    bot = startBot(ctx, { apiUrl: fake.apiUrl, options: { settings } });
    fake.pushMessage(WRITER, '/pause run_stop01');
    await waitFor(() => sentTo(WRITER).length === 1, 'the pause reply');
    await waitFor(() => fake.calls('getUpdates').length >= 2, 'the next long poll');
    const started = Date.now();
    const summary = await bot.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(summary).toMatchObject({ updates: 1, commands: 1 });
    expect((await getRun(ctx.db, 'run_stop01'))!.state.current_state).toBe('PAUSED');
    bot = undefined;
  });
});
