import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyEvent, createRuns, getBotState, getRun, insertPrRequest, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import type { AppContext, ApprovePr } from '@agentpr/orchestrator';
import { botStateKeys } from '../bot-state-keys.js';
import { NO_LLM_TEXT } from '../assistant-chat.js';
import {
  ADMIN,
  auditLines,
  BOT_ID,
  eventTypes,
  makeRun,
  notifierReady,
  READER,
  startBot,
  STRANGER,
  testContext,
  TO_IMPLEMENTING,
  TO_PUSHED,
  TOKEN,
  waitFor,
  WRITER,
  type RunningBot,
} from './bot-harness.js';

interface BotMessage {
  text: string;
  markup: { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
}

let api: TelegramTestApi;
let ctx: AppContext;
let store: OpenDatabase | undefined;
let drop: (() => Promise<void>) | undefined;
let bot: RunningBot | undefined;

beforeEach(async () => {
  api = await startTelegramTestApi();
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  bot = undefined;
  await api.stop();
  await store?.close();
  await drop?.();
  store = undefined;
  drop = undefined;
  cleanupTempDirs();
});

function messagesFor(chatId: number): BotMessage[] {
  return api.server.storage.botMessages
    .filter((m) => String(m.message.chat_id) === String(chatId))
    .map((m) => ({ text: String(m.message.text), markup: m.message.reply_markup as BotMessage['markup'] }));
}

function commandLines(chatId: number): Array<Record<string, unknown>> {
  return auditLines(bot!.auditFile).filter((l) => l.chat_id === chatId && l.kind === undefined);
}

async function send(chatId: number, text: string): Promise<void> {
  const client = api.server.getClient(TOKEN, { chatId, userId: chatId });
  await client.sendMessage(client.makeMessage(text));
}

async function tap(chatId: number, data: string): Promise<void> {
  const client = api.server.getClient(TOKEN, { chatId, userId: chatId });
  await client.sendCallback(client.makeCallbackQuery(data));
}

/** Sends a text and waits until the bot audited it; returns the replies and the audit line. */
async function ask(chatId: number, text: string): Promise<{ replies: string[]; audit: Record<string, unknown> }> {
  const seen = commandLines(chatId).length;
  const before = messagesFor(chatId).length;
  await send(chatId, text);
  const lines = await waitFor(() => {
    const now = commandLines(chatId);
    return now.length > seen ? now : null;
  }, `the audit line of ${text.slice(0, 40)}`);
  return { replies: messagesFor(chatId).slice(before).map((m) => m.text), audit: lines[seen]! };
}

describe.each(dialectsUnderTest())('runTelegramBot against telegram-test-api on %s', (kind) => {
  beforeEach(async () => {
    ({ ctx, store, drop } = await testContext(kind));
  });

  it('/help from an allowed chat lists the commands and is audited ok', async () => {
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    const { replies, audit } = await ask(READER, '/help');
    expect(replies).toHaveLength(1);
    for (const usage of ['/list [N]', '/show <run_id>', '/status <run_id>', '/pending_pr [N]', '/inbox', '/approve_pr <run_id>', '/pause <run_id>', '/resume <run_id> [target_state]', '/retry <run_id> <target_state>']) {
      expect(replies[0]).toContain(usage);
    }
    expect(replies[0]).toMatch(/read commands/);
    expect(audit).toMatchObject({ chat_id: READER, command: 'help', outcome: 'ok', request_text: '/help' });
  });

  it('/list and /show answer with the runs; /show of an unknown run says so', async () => {
    await makeRun(ctx, 'run_aaa111', TO_IMPLEMENTING);
    await makeRun(ctx, 'run_bbb222');
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    const list = await ask(READER, '/list');
    expect(list.replies[0]).toMatch(/run_bbb222 \| octo-org\/widgets \| QUEUED/);
    expect(list.replies[0]).toMatch(/run_aaa111 \| octo-org\/widgets \| IMPLEMENTING/);
    const show = await ask(READER, '/status run_aaa111');
    expect(show.replies[0]).toContain('run_id: run_aaa111');
    expect(show.replies[0]).toContain('state: IMPLEMENTING');
    expect(show.replies[0]).toContain('pr_number: none');
    const missing = await ask(READER, '/show run_nope');
    expect(missing.replies[0]).toMatch(/run_nope not found/);
    expect(missing.audit).toMatchObject({ outcome: 'error', detail: 'run_not_found' });
  });

  it('a stranger gets no reply at all, the attempt is audited as unauthorized and nothing changes', async () => {
    await makeRun(ctx, 'run_ccc333', TO_IMPLEMENTING);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await send(STRANGER, '/pause run_ccc333');
    const line = await waitFor(() => commandLines(STRANGER)[0], 'the unauthorized audit line');
    expect(line).toMatchObject({ command: 'pause', outcome: 'unauthorized', detail: 'chat_not_allowlisted', response_text: '' });
    await ask(READER, '/help'); // the bot has moved on past the stranger's update
    expect(messagesFor(STRANGER)).toEqual([]);
    expect((await getRun(ctx.db, 'run_ccc333'))!.state.current_state).toBe('IMPLEMENTING');
  });

  it('tiers: a read chat is refused /pause and a write chat is refused /approve_pr; a write chat may pause', async () => {
    await makeRun(ctx, 'run_ddd444', TO_IMPLEMENTING);
    const approvePr = spyApprovePr();
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { approvePr } });
    const denied = await ask(READER, '/pause run_ddd444');
    expect(denied.audit).toMatchObject({ outcome: 'unauthorized', detail: 'write_permission_required' });
    expect(denied.replies).toEqual([expect.stringMatching(/write permission/)]);
    expect((await getRun(ctx.db, 'run_ddd444'))!.state.current_state).toBe('IMPLEMENTING');

    const noAdmin = await ask(WRITER, '/approve_pr run_ddd444 0123456789ABCDEF');
    expect(noAdmin.audit).toMatchObject({ outcome: 'unauthorized', detail: 'admin_permission_required', request_text: '/approve_pr run_ddd444 <redacted>' });
    expect(approvePr.card).not.toHaveBeenCalled();

    const paused = await ask(WRITER, '/pause run_ddd444');
    expect(paused.replies[0]).toMatch(/^run_ddd444: PAUSED \(was IMPLEMENTING\)/);
    expect(paused.audit).toMatchObject({ command: 'pause', outcome: 'ok' });
    const events = await eventTypes(ctx, 'run_ddd444');
    expect(events.at(-1)).toBe('command.pause');
    const resumed = await ask(ADMIN, '/resume run_ddd444');
    expect(resumed.replies[0]).toMatch(/^run_ddd444: IMPLEMENTING \(was PAUSED\)/);
  });

  it('with --allow-any-chat a stranger may read but never write or approve', async () => {
    await makeRun(ctx, 'run_eee555', TO_IMPLEMENTING);
    bot = startBot(ctx, { apiUrl: api.apiUrl, acl: { allowAnyChat: true } });
    expect((await ask(STRANGER, '/list')).audit).toMatchObject({ outcome: 'ok' });
    expect((await ask(STRANGER, '/pause run_eee555')).audit).toMatchObject({ outcome: 'unauthorized', detail: 'write_permission_required' });
    expect((await ask(STRANGER, '/approve_pr run_eee555 0123456789ABCDEF')).audit).toMatchObject({ outcome: 'unauthorized', detail: 'admin_permission_required' });
    expect((await getRun(ctx.db, 'run_eee555'))!.state.current_state).toBe('IMPLEMENTING');
  });

  it('rate limit: the third command in the window gets a retry-later reply and is audited rate_limited', async () => {
    const settings = { pollTimeoutSec: 1, idleSleepSec: 1, listLimit: 20, rateLimitWindowSec: 60, rateLimitPerChat: 2, rateLimitGlobal: 100 };
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { settings } });
    await ask(READER, '/help');
    await ask(READER, '/list');
    const limited = await ask(READER, '/list');
    expect(limited.replies).toEqual([expect.stringMatching(/Too many commands from this chat; retry/)]);
    expect(limited.audit).toMatchObject({ outcome: 'rate_limited', detail: 'chat_rate_limited' });
    expect((await ask(WRITER, '/help')).audit).toMatchObject({ outcome: 'ok' });
  });

  it('strangers get no reply and never count against the global limit, so allowed chats are not made busy', async () => {
    const limits = { rateLimitWindowSec: 60, rateLimitPerChat: 10, rateLimitGlobal: 3, rateLimitStrangers: 2 };
    const settings = { pollTimeoutSec: 1, idleSleepSec: 1, listLimit: 20, ...limits };
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { settings } });
    for (let i = 0; i < 4; i++) await send(STRANGER, `/list ${i}`);
    for (let i = 0; i < 3; i++) expect((await ask(ADMIN, '/help')).audit).toMatchObject({ outcome: 'ok' });
    const busy = await ask(READER, '/help'); // the allowed chats' own global budget of 3 is what runs out
    expect(busy.audit).toMatchObject({ outcome: 'rate_limited', detail: 'global_rate_limited' });
    expect(messagesFor(STRANGER)).toEqual([]);
    // Sampled: the stranger's first attempt in the window is audited; the others are counted, not written.
    expect(commandLines(STRANGER)).toEqual([expect.objectContaining({ command: 'list', outcome: 'unauthorized', detail: 'chat_not_allowlisted', unaudited_since_last: 0 })]);
    expect(await bot.stop()).toMatchObject({ strangerAttempts: 4, strangerUnaudited: 3 });
  });

  it('after a restart the stored offset keeps an update that Telegram delivers again from running twice', async () => {
    await makeRun(ctx, 'run_fff666', TO_IMPLEMENTING);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    const first = await ask(WRITER, '/pause run_fff666');
    expect(first.audit).toMatchObject({ outcome: 'ok' });
    await bot.stop();
    const offset = await getBotState(ctx.db, botStateKeys.offset(BOT_ID));
    expect(Number(offset)).toBe((first.audit.update_id as number) + 1);

    // The emulator ignores offsets; mark everything unread so it delivers the old update again (after the
    // stopped bot's last, aborted poll has reached the emulator).
    await new Promise((r) => setTimeout(r, 200));
    for (const update of api.server.storage.userMessages) update.isRead = false;
    bot = startBot(ctx, { apiUrl: api.apiUrl, auditFile: bot.auditFile });
    const next = await ask(WRITER, '/resume run_fff666');
    expect(next.replies[0]).toMatch(/IMPLEMENTING \(was PAUSED\)/);
    expect((await eventTypes(ctx, 'run_fff666')).filter((t) => t === 'command.pause')).toHaveLength(1);
    expect(commandLines(WRITER).filter((l) => l.command === 'pause')).toHaveLength(1);
  });

  it('a reply longer than 4096 characters arrives as several messages, each within the limit, split at lines', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `run_${String(i).padStart(3, '0')}_${'x'.repeat(110)}`);
    await createRuns(ctx.db, ids.map((runId) => ({ runId, owner: 'octo-org', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/tmp/${runId}` })));
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    const { replies, audit } = await ask(READER, '/list 50');
    expect(replies.length).toBeGreaterThanOrEqual(2);
    for (const part of replies) expect(part.length).toBeLessThanOrEqual(4096);
    const lines = replies.join('\n').split('\n').filter((l) => l.startsWith('run_'));
    expect(lines).toHaveLength(50);
    expect(new Set(lines.map((l) => l.split(' | ')[0]))).toEqual(new Set(ids));
    expect((audit.response_text as string).length).toBeLessThanOrEqual(400);
  });

  it('notifications: an admin chat hears once per state change, with Show and Pause buttons', async () => {
    await makeRun(ctx, 'run_ggg777', [{ type: 'command.start.discovery' }]);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'runtime_error', error_message: 'boom', actor: 'worker' } });
    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: 'manager:retry budget exhausted' } });
    const alert = await waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('needs a human')), 'the NEEDS_HUMAN_REVIEW notification');
    expect(alert.text).toContain('run_ggg777 (octo-org/widgets)');
    expect(alert.text).toContain('manager:retry budget exhausted');
    expect(alert.markup?.inline_keyboard?.[0]?.map((b) => b.callback_data)).toEqual(['show:run_ggg777', 'pause:run_ggg777']);
    expect(messagesFor(WRITER).concat(messagesFor(READER)).filter((m) => m.text.includes('needs a human'))).toEqual([]);

    // Same state, new event (a failed step here keeps the run's state): no second message.
    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'worker.step.failed', step: 'agent', reason_code: 'again', error_message: 'boom', actor: 'worker' } });
    // Two completed scans: at least one started after the event, and would have sent a second message.
    await bot.notifyScans(2);
    expect(messagesFor(ADMIN).filter((m) => m.text.includes('needs a human'))).toHaveLength(1);

    // Leaving and entering again is a new state change.
    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'command.retry', target_state: 'IMPLEMENTING', actor: 'manager' } });
    await new Promise((r) => setTimeout(r, 20));
    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager' } });
    await waitFor(() => messagesFor(ADMIN).filter((m) => m.text.includes('needs a human')).length === 2, 'a second notification');

    await applyEvent(ctx.db, 'run_ggg777', { event: { type: 'command.mark.done', actor: 'operator' } });
    const done = await waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('is DONE')), 'the DONE notification');
    expect(done.markup?.inline_keyboard?.[0]?.map((b) => b.text)).toEqual(['Show']);
    const lines = await waitFor(() => {
      const found = auditLines(bot!.auditFile).filter((l) => l.kind === 'notification');
      return found.length === 3 ? found : null;
    }, 'three notification audit lines');
    expect(lines.map((l) => l.reason)).toEqual(['NEEDS_HUMAN_REVIEW', 'NEEDS_HUMAN_REVIEW', 'DONE']);

    // A restart announces nothing again.
    await bot.stop();
    const count = messagesFor(ADMIN).length;
    bot = startBot(ctx, { apiUrl: api.apiUrl, auditFile: bot.auditFile });
    await ask(ADMIN, '/help');
    // The restarted bot's first scans would send anything it wrongly announces again.
    await bot.notifyScans(2);
    expect(messagesFor(ADMIN).length).toBe(count + 1);
  });

  it('notifications: a failed CI verdict escalated after the retry cap is called out as such', async () => {
    await makeRun(ctx, 'run_ci0001', [...TO_PUSHED, { type: 'command.pr.linked', pr_number: 7 }]);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await applyEvent(ctx.db, 'run_ci0001', { event: { type: 'github.check.completed', conclusion: 'failure', pr_number: 7, actor: 'sync' } });
    await applyEvent(ctx.db, 'run_ci0001', { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', actor: 'manager', error: 'manager:retry budget exhausted' } });
    const alert = await waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('CI failed after the retry cap')), 'the CI notification');
    expect(alert.text).toContain('run_ci0001');
  });

  it('without the approval use cases a PR request is announced as text, and the old Approve… button says approval is unavailable', async () => {
    await makeRun(ctx, 'run_hhh888', TO_PUSHED);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await notifierReady(ctx);
    await insertPrRequest(ctx.db, prRequest('run_hhh888', 'F00DF00DF00DF00D', new Date(Date.now() + 3_600_000)));
    const alert = await waitFor(() => messagesFor(ADMIN).find((m) => m.text.includes('asks to open a PR')), 'the PR request notification');
    expect(alert.text).toMatch(/request expires in (59 min|1 h)\./);
    expect(alert.markup?.inline_keyboard ?? []).toEqual([]);

    const before = commandLines(ADMIN).length;
    await tap(ADMIN, 'approve:run_hhh888');
    const line = await waitFor(() => commandLines(ADMIN)[before], 'the button audit line');
    expect(line).toMatchObject({ command: 'button:approve', outcome: 'error', detail: 'approve_unavailable' });
    expect((await getRun(ctx.db, 'run_hhh888'))!.state.current_state).toBe('PUSHED');

    const pending = await ask(READER, '/pending_pr');
    expect(pending.replies[0]).toMatch(/run_hhh888 \| octo-org\/widgets @ aaaaaaa \| Add integration \| expires in (59 min|1 h)/);

    // Buttons check tiers too: a read chat may show but not pause; a stranger's tap is ignored.
    const readerBefore = commandLines(READER).length;
    await tap(READER, 'pause:run_hhh888');
    const denied = await waitFor(() => commandLines(READER)[readerBefore], 'the denied button line');
    expect(denied).toMatchObject({ command: 'button:pause', outcome: 'unauthorized', detail: 'write_permission_required' });
    await tap(STRANGER, 'show:run_hhh888');
    await waitFor(() => commandLines(STRANGER)[0], 'the stranger button line');
    expect(messagesFor(STRANGER)).toEqual([]);
    await tap(WRITER, 'pause:run_hhh888');
    await waitFor(async () => (await getRun(ctx.db, 'run_hhh888'))!.state.current_state === 'PAUSED', 'the pause by button');
  });

  it('/approve_pr for a run without a PR request says so; /pending_pr marks an expired request to re-issue', async () => {
    await makeRun(ctx, 'run_lll222', TO_PUSHED);
    await makeRun(ctx, 'run_jjj000', TO_PUSHED);
    await insertPrRequest(ctx.db, prRequest('run_jjj000', 'C0FFEE00C0FFEE00', new Date(Date.now() - 60_000)));
    bot = startBot(ctx, { apiUrl: api.apiUrl, options: { approvePr: spyApprovePr() } });
    const none = await ask(ADMIN, '/approve_pr run_lll222');
    expect(none.replies[0]).toMatch(/has no PR request\. Ask for one first: agentpr request-open-pr --run-id run_lll222$/);
    expect(none.audit).toMatchObject({ outcome: 'error', detail: 'no_pr_request' });
    const pending = await ask(ADMIN, '/pending_pr');
    expect(pending.replies[0]).toMatch(/run_jjj000 .*\| expired 1 min ago, re-issue it/);
    expect(pending.replies[0]).not.toContain('run_lll222');
  });

  it('bad input gets a short helpful reply, changes nothing and is audited as an error', async () => {
    await makeRun(ctx, 'run_bad001', [...TO_IMPLEMENTING, { type: 'command.pause' }]);
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    const before = await eventTypes(ctx, 'run_bad001');
    const cases: Array<[string, RegExp, string]> = [
      ['/frobnicate now', /Unknown command \/frobnicate\. Send \/help/, 'unknown_command'],
      ['/show', /Which run\?.*Usage: \/show <run_id>/, 'usage'],
      ['/show run_bad001 extra', /Too many arguments.*Usage: \/show <run_id>/, 'usage'],
      ['/list many', /N must be a whole number.*Usage: \/list \[N\]/, 'usage'],
      ['/pause', /Which run\?.*Usage: \/pause <run_id>/, 'usage'],
      ['/retry run_bad001', /Which target state\?.*Usage: \/retry <run_id> <target_state>/, 'usage'],
      ['/resume run_bad001 IMPLEMENTING extra', /Too many arguments/, 'usage'],
      ['/resume run_nope', /Run run_nope not found/, 'run_not_found'],
      ['/resume run_bad001 FLYING', /"FLYING" is not a state\. States: QUEUED, /, 'invalid_state'],
      ['/resume run_bad001 CI_WAIT', /^Refused: resume cannot move run run_bad001 from PAUSED to CI_WAIT; allowed targets: /, 'refused'],
      ['/retry run_bad001 DISCOVERY', /^Refused: retry works only from FAILED_RETRYABLE or NEEDS_HUMAN_REVIEW/, 'refused'],
      ['/show "run_bad001', /Could not read that command: no closing double quote/, 'invalid_format'],
      ['/show ünïcødé-🚀', /"ünïcødé-🚀" is not a run id/, 'invalid_run_id'],
      [`/show ${'r'.repeat(5000)}`, /too long for a command \(5006 characters\)/, 'message_too_long'],
    ];
    for (const [text, expected, detail] of cases) {
      const { replies, audit } = await ask(ADMIN, text);
      expect(replies, text).toHaveLength(1);
      expect(replies[0], text).toMatch(expected);
      expect(replies[0]!.length, text).toBeLessThan(600);
      expect(audit, text).toMatchObject({ outcome: 'error', detail });
      expect((audit.request_text as string).length).toBeLessThanOrEqual(400);
    }
    expect(await eventTypes(ctx, 'run_bad001')).toEqual(before);
    expect((await getRun(ctx.db, 'run_bad001'))!.state.current_state).toBe('PAUSED');
  });

  it('commands for another bot are ignored without a reply or an audit line; ordinary text, without a manager LLM, gets how to set one up', async () => {
    bot = startBot(ctx, { apiUrl: api.apiUrl });
    await send(ADMIN, '/list@SomeOtherBot');
    await ask(ADMIN, '/list@TestNameBot 1');
    const plain = await ask(ADMIN, 'hello there');
    expect(plain.replies).toEqual([NO_LLM_TEXT]);
    expect(commandLines(ADMIN).map((l) => [l.command, l.request_text])).toEqual([
      ['list', '/list@TestNameBot 1'],
      ['ask', 'hello there'],
    ]);
    expect(messagesFor(ADMIN)).toHaveLength(2);
  });
});

/** Approval use cases that must not be reached. */
function spyApprovePr(): ApprovePr & { card: ReturnType<typeof vi.fn> } {
  const refuse = () => Promise.reject(new Error('not reached'));
  return { card: vi.fn(refuse), approve: vi.fn(refuse), reject: vi.fn(refuse) };
}

function prRequest(runId: string, token: string, expires: Date) {
  return {
    run_id: runId,
    request_file: `/tmp/reports/${runId}_pr_open_request.json`,
    title: 'Add integration',
    body: 'body',
    base: 'main',
    head: 'agentpr/feature',
    head_owner: 'fork-owner',
    head_sha: 'a'.repeat(40),
    draft: 0,
    confirm_token_sha256: createHash('sha256').update(token).digest('hex'),
    created_at: new Date().toISOString(),
    expires_at: expires.toISOString(),
    consumed_at: null,
  };
}
