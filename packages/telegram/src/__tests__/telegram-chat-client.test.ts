import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBotApi, startTelegramTestApi, type FakeBotApi, type TelegramTestApi } from '@agentpr/testing';
import { TelegramError } from '../errors.js';
import { createTelegramChatClient } from '../telegram-chat-client.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

async function failure(promise: Promise<unknown>): Promise<TelegramError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TelegramError);
    expect(String((error as Error).message)).not.toContain('AAHdqTcv');
    return error as TelegramError;
  }
  throw new Error('expected a failure');
}

describe('createTelegramChatClient against telegram-test-api', () => {
  let api: TelegramTestApi;
  beforeEach(async () => {
    api = await startTelegramTestApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  it('getMe, getUpdates, sendMessage with buttons and answerCallbackQuery talk to the Bot API at apiUrl', async () => {
    const chat = createTelegramChatClient({ token: TOKEN, apiUrl: api.apiUrl });
    expect(await chat.getMe()).toEqual({ id: 666, username: 'TestNameBot' });

    const user = api.server.getClient(TOKEN, { chatId: 4242, userId: 4242 });
    await user.sendMessage(user.makeMessage('/list 3'));
    const updates = (await chat.getUpdates({ timeoutSec: 1 })) as Array<{ update_id: number; message: { text: string; chat: { id: number } } }>;
    expect(updates).toHaveLength(1);
    expect(updates[0]!.message).toMatchObject({ text: '/list 3', chat: { id: 4242 } });

    await chat.sendMessage({ chatId: 4242, text: 'héllo 🚀', buttons: [[{ text: 'Show', callbackData: 'show:run_1' }]] });
    const received = await user.getUpdates();
    expect(received.result[0]!.message.text).toBe('héllo 🚀');
    expect(received.result[0]!.message.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Show', callback_data: 'show:run_1' }]] });

    await expect(chat.answerCallbackQuery({ callbackQueryId: '1', text: 'ok' })).resolves.toBeUndefined();
  });
});

describe('createTelegramChatClient failures against the node:http fake', () => {
  let fake: FakeBotApi;
  beforeEach(async () => {
    fake = await startFakeBotApi({ token: TOKEN, maxPollWaitMs: 5000 });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('a 401 becomes bad_token with a hint to check the token, never the token itself', async () => {
    const chat = createTelegramChatClient({ token: '123456789:wrongwrongwrongwrong', apiUrl: fake.apiUrl });
    const error = await failure(chat.getMe());
    expect(error.code).toBe('bad_token');
    expect(error.message).toMatch(/AGENTPR_TELEGRAM_BOT_TOKEN or --telegram-token/);
    expect(error.message).not.toContain('wrongwrong');
  });

  it('a 409 becomes conflict and tells the operator to stop the other poller or delete the webhook', async () => {
    fake.failNext('getUpdates', { kind: 'api', status: 409, description: 'Conflict: terminated by other getUpdates request' });
    const error = await failure(createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl }).getUpdates({ timeoutSec: 1 }));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/another process is polling.*webhook/);
  });

  it('a 429 becomes rate_limited with retry_after', async () => {
    fake.failNext('sendMessage', { kind: 'api', status: 429, description: 'Too Many Requests: retry after 3', retryAfterSec: 3 });
    const error = await failure(createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl }).sendMessage({ chatId: 1, text: 'x' }));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterSec: 3, status: 429 });
  });

  it('a dropped connection becomes network, a 502 page becomes network and a 200 non-JSON page becomes bad_response', async () => {
    const chat = createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl });
    fake.failNext('getUpdates', { kind: 'drop' }, { kind: 'http', status: 502, body: '<html>Bad Gateway</html>' }, { kind: 'http', status: 200, body: 'hello' });
    expect((await failure(chat.getUpdates({ timeoutSec: 1 }))).code).toBe('network');
    expect((await failure(chat.getUpdates({ timeoutSec: 1 }))).code).toBe('network');
    expect((await failure(chat.getUpdates({ timeoutSec: 1 }))).code).toBe('bad_response');
  });

  it('a long poll may take its whole server wait, and a poll that never answers times out after wait + slack', async () => {
    const chat = createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl, pollSlackSec: 0.3 });
    const started = Date.now();
    await expect(chat.getUpdates({ timeoutSec: 1 })).resolves.toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    fake.failNext('getUpdates', { kind: 'hang' });
    const error = await failure(chat.getUpdates({ timeoutSec: 1 }));
    expect(error.code).toBe('timeout');
  });

  it('getUpdates sends the offset so confirmed updates are not delivered again', async () => {
    const chat = createTelegramChatClient({ token: TOKEN, apiUrl: fake.apiUrl });
    const first = fake.pushMessage(5, '/list');
    fake.pushMessage(5, '/help');
    expect(await chat.getUpdates({ timeoutSec: 1 })).toHaveLength(2);
    expect(await chat.getUpdates({ timeoutSec: 1, offset: first + 1 })).toHaveLength(1);
    expect(fake.calls('getUpdates').at(-1)!.params).toMatchObject({ offset: first + 1, timeout: 1 });
  });
});
