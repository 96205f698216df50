import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getRun, type OpenDatabase } from '@agentpr/store';
import type { RunningLlmStub } from '@agentpr/llm-stub';
import { cleanupTempDirs, dialectsUnderTest, startTelegramTestApi, type TelegramTestApi } from '@agentpr/testing';
import type { AppContext } from '@agentpr/orchestrator';
import { eventTypes, makeRun, READER, testContext, TO_IMPLEMENTING, TOKEN, WRITER, type RunningBot } from './bot-harness.js';
import { buttonData, ChatDriver, LLM_KEY, startAssistantBot, startStub, stubConfig, withLlmKey } from './assistant-harness.js';

const GROUP = -100_555_000;
const ASKER = 501;
const OTHER = 502;

let api: TelegramTestApi;
let ctx: AppContext;
let store: OpenDatabase | undefined;
let drop: (() => Promise<void>) | undefined;
let bot: RunningBot | undefined;
let stub: RunningLlmStub | undefined;

beforeEach(async () => {
  api = await startTelegramTestApi();
});

afterEach(async () => {
  await bot?.stop().catch(() => {});
  await stub?.close();
  await api.stop();
  await store?.close();
  await drop?.();
  bot = stub = store = drop = undefined;
  cleanupTempDirs();
});

const stateOf = async (runId: string) => (await getRun(ctx.db, runId))!.state.current_state;

/** The one-time tokens on the assistant buttons of the messages: they must never reach the audit log. */
const tokensOf = (messages: Array<{ buttons: Array<{ callback_data: string }> }>) =>
  messages.flatMap((m) => m.buttons.map((b) => b.callback_data)).filter((d) => d.startsWith('ai:')).map((d) => d.slice(5));

describe.each(dialectsUnderTest())('plain-word questions in the Telegram bot on %s', (kind) => {
  beforeEach(async () => {
    const made = await testContext(kind);
    ({ store, drop } = made);
    ctx = withLlmKey(made.ctx);
  });

  it('a read question is answered from the store: the repositories of the runs appear in the reply, and the turn is audited', async () => {
    await makeRun(ctx, 'run_read001', TO_IMPLEMENTING, 'widgets');
    await makeRun(ctx, 'run_read002', [], 'gadgets');
    stub = await startStub('read-stuck-runs');
    bot = startAssistantBot(ctx, api, stubConfig(stub.url));
    const chat = new ChatDriver(api, bot);
    const { replies, audit } = await chat.say(READER, `which runs are stuck? (my key is ${LLM_KEY})`);
    const text = replies.map((r) => r.text).join('\n');
    expect(text).toContain('octo-org/widgets');
    expect(text).toContain('octo-org/gadgets');
    expect(replies.flatMap((r) => r.buttons)).toEqual([]);
    expect(audit).toMatchObject({ command: 'ask', outcome: 'ok', request_text: 'which runs are stuck? (my key is <redacted>)' });
    expect(chat.assistantLines().map((l) => [l.kind, l.tool ?? null, l.outcome ?? null])).toEqual([
      ['assistant_question', null, null],
      ['assistant_tool_call', 'list_runs', 'ran'],
      ['assistant_reply', null, 'answered'],
    ]);
    // The model was offered only read tools, and got the run data delimited as untrusted.
    expect(stub.requests[0]!.tools).not.toContain('pause_run');
    expect(JSON.stringify(stub.requests[1]!.messages)).toContain('untrusted_data');
    const raw = readFileSync(bot.auditFile, 'utf8');
    expect(raw).not.toContain(LLM_KEY);
    expect(raw).not.toContain(TOKEN.split(':')[1]);
  });

  it('a write waits for a Confirm: cancelled it changes nothing; asked again and confirmed, the run is PAUSED, once', async () => {
    await makeRun(ctx, 'run_write01', TO_IMPLEMENTING);
    const before = await eventTypes(ctx, 'run_write01');
    stub = await startStub('pause-run', { RUN_ID: 'run_write01' });
    bot = startAssistantBot(ctx, api, stubConfig(stub.url));
    const chat = new ChatDriver(api, bot);

    const first = await chat.say(WRITER, 'pause the widgets run');
    const offer = first.replies.at(-1)!;
    expect(offer.buttons.map((b) => b.text)).toEqual([expect.stringMatching(/^Confirm: pause run_write01 \(octo-org\/widgets/), 'Cancel']);
    expect(first.replies.map((r) => r.text).join('\n')).toMatch(/confirm/i);
    expect(await stateOf('run_write01')).toBe('IMPLEMENTING');

    const cancelled = await chat.tap(WRITER, buttonData(offer, 'Cancel'));
    expect(cancelled.audit).toMatchObject({ command: 'button:assistant_cancel', outcome: 'ok', request_text: '[button] assistant cancel' });
    expect(await stateOf('run_write01')).toBe('IMPLEMENTING');
    const late = await chat.tap(WRITER, buttonData(offer, 'Confirm'));
    expect(late.audit).toMatchObject({ command: 'button:assistant_confirm', outcome: 'error', detail: 'refused: used' });
    expect(await eventTypes(ctx, 'run_write01')).toEqual(before);

    const second = await chat.say(WRITER, 'pause it after all');
    const again = second.replies.at(-1)!;
    const done = await chat.tap(WRITER, buttonData(again, 'Confirm'));
    expect(done.replies.map((r) => r.text).join('\n')).toMatch(/run_write01: PAUSED \(was IMPLEMENTING\)/);
    expect(done.audit).toMatchObject({ command: 'button:assistant_confirm', outcome: 'ok', request_text: '[button] assistant confirm' });
    expect(await stateOf('run_write01')).toBe('PAUSED');
    const twice = await chat.tap(WRITER, buttonData(again, 'Confirm'));
    expect(twice.audit).toMatchObject({ outcome: 'error', detail: 'refused: used' });
    expect((await eventTypes(ctx, 'run_write01')).filter((t) => t === 'command.pause')).toHaveLength(1);

    expect(chat.assistantLines().filter((l) => l.kind === 'assistant_action').map((l) => l.outcome)).toEqual(expect.arrayContaining(['cancelled', 'confirmed']));
    const raw = readFileSync(bot.auditFile, 'utf8');
    for (const token of tokensOf([offer, again])) expect(raw).not.toContain(token);
  });

  it('in a group, another member tapping Confirm is refused with a toast and audited; the person who asked can confirm', async () => {
    await makeRun(ctx, 'run_group01', TO_IMPLEMENTING);
    stub = await startStub('pause-run', { RUN_ID: 'run_group01' });
    const toasts: string[] = [];
    bot = startAssistantBot(ctx, api, stubConfig(stub.url), { acl: { allowChatIds: [READER], writeChatIds: [WRITER, GROUP] }, toasts });
    const chat = new ChatDriver(api, bot);
    const offer = (await chat.say(GROUP, 'pause run_group01', ASKER)).replies.at(-1)!;
    const sentBefore = chat.messages(GROUP).length;

    const stranger = await chat.tap(GROUP, buttonData(offer, 'Confirm'), OTHER);
    expect(stranger.audit).toMatchObject({ command: 'button:assistant_confirm', outcome: 'error', detail: 'refused: other_user' });
    expect(toasts.at(-1)).toMatch(/\S/);
    expect(chat.messages(GROUP)).toHaveLength(sentBefore); // a toast only: nothing posted in the group
    expect(await stateOf('run_group01')).toBe('IMPLEMENTING');
    expect(chat.assistantLines().filter((l) => l.kind === 'assistant_action').at(-1)).toMatchObject({
      outcome: 'refused',
      detail: `other_user (by telegram:${GROUP}:${OTHER})`,
    });

    await chat.tap(GROUP, buttonData(offer, 'Confirm'), ASKER);
    expect(await stateOf('run_group01')).toBe('PAUSED');
  });

  it('a Confirm after confirm_ttl_sec, or with a forged token, is refused and nothing runs', async () => {
    let now = Date.now();
    ctx = { ...ctx, clock: () => new Date(now) };
    await makeRun(ctx, 'run_ttl0001', TO_IMPLEMENTING);
    const before = await eventTypes(ctx, 'run_ttl0001');
    stub = await startStub('pause-run', { RUN_ID: 'run_ttl0001' });
    bot = startAssistantBot(ctx, api, stubConfig(stub.url, { confirm_ttl_sec: 30 }));
    const chat = new ChatDriver(api, bot);
    const offer = (await chat.say(WRITER, 'pause run_ttl0001')).replies.at(-1)!;
    now += 31_000;
    const late = await chat.tap(WRITER, buttonData(offer, 'Confirm'));
    expect(late.audit).toMatchObject({ outcome: 'error', detail: 'refused: expired' });
    expect(late.replies.map((r) => r.text).join('\n')).toMatch(/expired/);
    const forged = await chat.tap(WRITER, 'ai:c:AAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.audit).toMatchObject({ command: 'button:assistant_confirm', outcome: 'error', detail: 'refused: unknown', request_text: '[button] assistant confirm' });
    expect(await eventTypes(ctx, 'run_ttl0001')).toEqual(before);
  });

  it('a read chat asking for a pause is refused for its tier, audited, and the run is unchanged', async () => {
    await makeRun(ctx, 'run_tier001', TO_IMPLEMENTING);
    const before = await eventTypes(ctx, 'run_tier001');
    stub = await startStub('pause-run', { RUN_ID: 'run_tier001' });
    bot = startAssistantBot(ctx, api, stubConfig(stub.url));
    const chat = new ChatDriver(api, bot);
    const { replies } = await chat.say(READER, 'pause run_tier001');
    expect(replies.flatMap((r) => r.buttons)).toEqual([]);
    expect(chat.assistantLines().find((l) => l.kind === 'assistant_tool_call')).toMatchObject({ tool: 'pause_run', outcome: 'refused_tier' });
    expect(stub.requests[0]!.tools).not.toContain('pause_run');
    expect(JSON.stringify(stub.requests[1]!.messages)).toMatch(/refused[^"]*read permission/);
    expect(await eventTypes(ctx, 'run_tier001')).toEqual(before);
  });
});
