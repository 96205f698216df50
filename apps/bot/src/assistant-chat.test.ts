import { describe, expect, it } from 'vitest';
import type { AskRequest, AskResult } from '@agentpr/assistant';
import { CALLBACK_DATA_LIMIT, decodeAssistantButton } from '@agentpr/telegram';
import { actionButtons, askReply, AssistantChat, HISTORY_TURNS, NO_LLM_TEXT, requesterOf, userKeyOf, type BotAssistant } from './assistant-chat.js';

const usage = { inputTokens: 10, outputTokens: 2, toolCalls: 0, costUsd: 0 };
const TOKEN = 'q3Zx9LmP0aBc-_12q3Zx9L';

/** An assistant that answers every question with its number and records what it was asked. */
function recordingAssistant(): BotAssistant & { asked: AskRequest[] } {
  const asked: AskRequest[] = [];
  return {
    asked,
    ask: (request) => {
      asked.push(request);
      return Promise.resolve<AskResult>({ kind: 'answered', requestId: `ask_${asked.length}`, reply: `answer ${asked.length}`, actions: [], usage });
    },
    confirm: () => Promise.reject(new Error('not used')),
    cancel: () => Promise.reject(new Error('not used')),
  };
}

describe('the assistant chat', () => {
  it('keys budgets by chat and confirmations by person: in a private chat the person is the chat; an anonymous group sender matches nobody', () => {
    expect(requesterOf({ chatId: 42, userId: 42, isGroup: false }, 'write')).toEqual({ channel: 'telegram', chatKey: 'telegram:42', userKey: 'telegram:42:42', tier: 'write' });
    expect(userKeyOf({ chatId: 42, userId: null, isGroup: false })).toBe('telegram:42:42');
    expect(userKeyOf({ chatId: -100_7, userId: 5, isGroup: true })).toBe('telegram:-1007:5');
    expect(userKeyOf({ chatId: -100_7, userId: null, isGroup: true })).toBe('telegram:-1007:anonymous');
  });

  it('a pending action becomes one [Confirm: summary] [Cancel] row whose data carries its token within 64 bytes', () => {
    const summary = `resume run_${'x'.repeat(40)} (octo-org/widgets) from PAUSED to IMPLEMENTING`;
    const rows = actionButtons([{ actionId: 'act_1', token: TOKEN, tool: 'resume_run', summary, expiresAt: '2026-12-05T00:05:00Z' }])!;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.map((b) => b.text)).toEqual([expect.stringMatching(/^Confirm: resume run_x+…$/), 'Cancel']);
    expect(rows[0]![0]!.text.length).toBeLessThanOrEqual(9 + 48);
    expect(rows[0]!.map((b) => decodeAssistantButton(b.callbackData))).toEqual([{ choice: 'confirm', token: TOKEN }, { choice: 'cancel', token: TOKEN }]);
    for (const b of rows[0]!) expect(Buffer.byteLength(b.callbackData)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    expect(actionButtons([])).toBeUndefined();
  });

  it('maps each result to a reply: answered ok, a spent budget and an unavailable model as errors naming why', () => {
    expect(askReply({ kind: 'answered', requestId: 'ask_a', reply: 'fine', actions: [], usage })).toEqual({ text: 'fine', outcome: 'ok', detail: 'answered ask_a', buttons: undefined });
    expect(askReply({ kind: 'budget_exhausted', requestId: 'ask_b', reply: 'spent', budget: 'tool_calls', actions: [], usage })).toMatchObject({ outcome: 'error', detail: 'budget_exhausted tool_calls ask_b' });
    expect(askReply({ kind: 'model_unavailable', requestId: 'ask_c', reply: 'down', usage })).toMatchObject({ text: 'down', outcome: 'error', detail: 'model_unavailable ask_c' });
  });

  it(`hands the model the chat's last ${HISTORY_TURNS} turns, per chat`, async () => {
    const assistant = recordingAssistant();
    const chat = new AssistantChat(assistant, { onError: () => {} });
    const signal = new AbortController().signal;
    const me = { chatId: 1, userId: 1, isGroup: false };
    for (let i = 1; i <= 6; i++) await chat.answer(me, 'read', `q${i}`, signal);
    await chat.answer({ chatId: 2, userId: 2, isGroup: false }, 'read', 'other', signal);
    expect(assistant.asked[5]!.history).toEqual([2, 3, 4, 5].map((n) => ({ question: `q${n}`, reply: `answer ${n}` })));
    expect(assistant.asked[6]!.history).toEqual([]);
  });

  it('without a manager LLM answers with how to configure one', async () => {
    const reply = await new AssistantChat(undefined, { onError: () => {} }).answer({ chatId: 1, userId: 1, isGroup: false }, 'read', 'hi', new AbortController().signal);
    expect(reply).toEqual({ text: NO_LLM_TEXT, outcome: 'error', detail: 'llm_not_configured' });
  });
});
