import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRun, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, startFakeBotApi, type FakeBotApi } from '@agentpr/testing';
import type { AppContext } from '@agentpr/orchestrator';
import { ADMIN, auditLines, makeRun, startBot, STRANGER, testContext, TO_IMPLEMENTING, TOKEN, waitFor, type RunningBot } from './bot-harness.js';

const GROUP = -100_777_000;
const MEMBER = 555;
const WRITER_IN_GROUP = 556;

let fake: FakeBotApi;
let ctx: AppContext;
let store: OpenDatabase | undefined;
let bot: RunningBot | undefined;

beforeEach(async () => {
  fake = await startFakeBotApi({ token: TOKEN, maxPollWaitMs: 200 });
  ({ ctx, store } = await testContext('sqlite'));
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  bot = undefined;
  await fake.close();
  await store?.close();
  store = undefined;
  cleanupTempDirs();
});

const sentTo = (chatId: number) => fake.sent.filter((m) => m.chat_id === chatId).map((m) => m.text);
const linesOf = (chatId: number) => auditLines(bot!.auditFile).filter((l) => l.chat_id === chatId && l.kind === undefined);

/** Queues a message that `userId` writes in the group chat. */
function groupMessage(userId: number, text: string): number {
  return fake.pushUpdate({
    message: { message_id: fake.requests.length + 1, date: Math.floor(Date.now() / 1000), chat: { id: GROUP, type: 'supergroup', title: 'ops' }, from: { id: userId, is_bot: false, first_name: 'M' }, text },
  });
}

describe('runTelegramBot: strangers and group members', () => {
  it('125 stranger messages in a minute, then an admin /pause: the run is paused, strangers hear nothing and their audit is sampled', async () => {
    await makeRun(ctx, 'run_flood01', TO_IMPLEMENTING);
    let clock = 1_000;
    // The shipped limits: 60 s window, 12 per chat, 120 global, 20 for all strangers together.
    bot = startBot(ctx, {
      apiUrl: fake.apiUrl,
      options: {
        notifications: false,
        monotonicNow: () => clock,
        settings: {
          pollTimeoutSec: 1,
          idleSleepSec: 1,
          listLimit: 20,
          rateLimitWindowSec: 60,
          rateLimitPerChat: 12,
          rateLimitGlobal: 120,
          rateLimitStrangers: 20,
        },
      },
    });
    const strangers = [STRANGER, 998, 997, 996, -100_666];
    for (const chat of strangers) for (let i = 0; i < 25; i++) fake.pushMessage(chat, `/pause run_flood01 ${i}`);
    fake.pushMessage(ADMIN, '/pause run_flood01');
    const line = await waitFor(() => linesOf(ADMIN)[0], "the admin's /pause audit line");
    expect(line).toMatchObject({ command: 'pause', outcome: 'ok' });
    expect((await getRun(ctx.db, 'run_flood01'))!.state.current_state).toBe('PAUSED');
    expect(sentTo(ADMIN)).toEqual([expect.stringMatching(/^run_flood01: PAUSED \(was IMPLEMENTING\)/)]);
    for (const chat of strangers) expect(sentTo(chat)).toEqual([]);

    // The first stranger's first attempt and its 11th are written; its other 18 admitted attempts and the
    // 105 over the stranger budget are counted, not written.
    expect(linesOf(STRANGER).map((l) => l.unaudited_since_last)).toEqual([0, 9]);
    expect(strangers.slice(1).flatMap(linesOf)).toEqual([]);

    // A minute later the budget is back; a stranger's first attempt of the new window carries the count.
    clock += 61_000;
    fake.pushMessage(996, '/list');
    const next = await waitFor(() => linesOf(996)[0], 'the next stranger line');
    expect(next).toMatchObject({ outcome: 'unauthorized', detail: 'chat_not_allowlisted', unaudited_since_last: 114, response_text: '' });
    expect(await bot.stop()).toMatchObject({ commands: 1, strangerAttempts: 126, strangerUnaudited: 123 });
  });

  it('a group member without the user-level tier cannot /pause; a member named in --write-user-id can', async () => {
    await makeRun(ctx, 'run_group01', TO_IMPLEMENTING);
    bot = startBot(ctx, {
      apiUrl: fake.apiUrl,
      acl: { adminChatIds: [ADMIN, GROUP], allowUserIds: [MEMBER], writeUserIds: [WRITER_IN_GROUP], adminUserIds: [ADMIN] },
      options: { notifications: false },
    });
    groupMessage(MEMBER, '/pause run_group01');
    groupMessage(999_001, '/pause run_group01');
    groupMessage(MEMBER, '/list');
    await waitFor(() => linesOf(GROUP).length === 3, 'three group audit lines');
    expect(linesOf(GROUP).map((l) => [l.command, l.outcome, l.detail])).toEqual([
      ['pause', 'unauthorized', 'user_write_permission_required'],
      ['pause', 'unauthorized', 'user_not_allowlisted'],
      ['list', 'ok', ''],
    ]);
    expect(sentTo(GROUP).slice(0, 2)).toEqual([
      'You may not use /pause in this group: it needs your user id in --write-user-id.',
      'You may not use this bot in this group: your user id is in none of --allow-user-id, --write-user-id, --admin-user-id.',
    ]);
    expect((await getRun(ctx.db, 'run_group01'))!.state.current_state).toBe('IMPLEMENTING');

    // A tap on a Pause button counts the person who tapped, not the chat.
    fake.pushUpdate({ callback_query: { id: 'cb-m', from: { id: MEMBER }, message: { message_id: 1, chat: { id: GROUP, type: 'supergroup' } }, data: 'pause:run_group01' } });
    await waitFor(() => linesOf(GROUP).length === 4, 'the button audit line');
    expect(linesOf(GROUP)[3]).toMatchObject({ command: 'button:pause', outcome: 'unauthorized', detail: 'user_write_permission_required' });

    groupMessage(WRITER_IN_GROUP, '/approve_pr run_group01 0123456789ABCDEF');
    groupMessage(WRITER_IN_GROUP, '/pause run_group01');
    await waitFor(() => linesOf(GROUP).length === 6, 'the writer lines');
    expect(linesOf(GROUP).slice(4).map((l) => [l.command, l.outcome, l.detail])).toEqual([
      ['approve_pr', 'unauthorized', 'user_admin_permission_required'],
      ['pause', 'ok', ''],
    ]);
    expect((await getRun(ctx.db, 'run_group01'))!.state.current_state).toBe('PAUSED');
    expect(auditLines(bot.auditFile).map((l) => JSON.stringify(l)).join('\n')).not.toContain('0123456789ABCDEF');
  });

  it('the audit log the bot creates is 0600 and its new directory 0700 under umask 022', async () => {
    const previous = process.umask(0o022);
    try {
      bot = startBot(ctx, { apiUrl: fake.apiUrl, options: { notifications: false } });
      fake.pushMessage(STRANGER, '/list');
      await waitFor(() => linesOf(STRANGER)[0], 'the stranger line');
    } finally {
      process.umask(previous);
    }
    expect(statSync(bot.auditFile).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(bot.auditFile)).mode & 0o777).toBe(0o700);
  });
});
