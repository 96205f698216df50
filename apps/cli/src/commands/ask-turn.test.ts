import { describe, expect, it } from 'vitest';
import type { ActionDecision, ActionResult, AskResult, PendingAction } from '@agentpr/assistant';
import type { CliAssistant } from './ask-setup.js';
import { askOutput, settleActions, turnStatus, type SettledAction } from './ask-turn.js';

const USAGE = { inputTokens: 120, outputTokens: 30, toolCalls: 1, costUsd: 0.0004 };

function action(n: number): PendingAction {
  return { actionId: `act_${n}`, token: `token-${n}-secret-value`, tool: 'pause_run', summary: `pause run_${n}abc (octo/r${n})`, expiresAt: '2026-12-05T00:05:00Z' };
}

/** An assistant whose confirm and cancel record the decisions they get. */
function recordingAssistant(confirmResult: (d: ActionDecision) => ActionResult = () => ({ kind: 'done', actionId: 'x', tool: 'pause_run', text: 'Done: paused' })) {
  const decisions: Array<{ how: 'confirm' | 'cancel'; decision: ActionDecision }> = [];
  const cli: CliAssistant = {
    requester: { channel: 'cli', chatKey: 'cli:op', userKey: 'cli:op', tier: 'admin' },
    close: async () => {},
    assistant: {
      model: { model: 'm', endpoint: 'http://127.0.0.1:1/v1', complete: () => Promise.reject(new Error('not used')) },
      ask: () => Promise.reject(new Error('not used')),
      confirm: (decision) => {
        decisions.push({ how: 'confirm', decision });
        return Promise.resolve(confirmResult(decision));
      },
      cancel: (decision) => {
        decisions.push({ how: 'cancel', decision });
        return Promise.resolve({ kind: 'cancelled', actionId: 'x', text: 'Cancelled. Nothing ran.' });
      },
    },
  };
  return { cli, decisions };
}

describe('settleActions', () => {
  it('--yes confirms every action with the requester as the decider', async () => {
    const { cli, decisions } = recordingAssistant();
    const settled = await settleActions(cli, [action(1), action(2)], { kind: 'yes_flag' });
    expect(settled.map((s) => s.status)).toEqual(['done', 'done']);
    expect(decisions).toEqual([
      { how: 'confirm', decision: { token: 'token-1-secret-value', userKey: 'cli:op', tier: 'admin' } },
      { how: 'confirm', decision: { token: 'token-2-secret-value', userKey: 'cli:op', tier: 'admin' } },
    ]);
  });

  it('on a terminal only y or yes confirms; anything else, an empty line or the end of input cancels', async () => {
    const answers = ['y', ' YES ', 'n', '', 'yep', null];
    const asked: string[] = [];
    const { cli, decisions } = recordingAssistant();
    const actions = answers.map((_, i) => action(i));
    const settled = await settleActions(cli, actions, {
      kind: 'prompt',
      question: (text) => {
        asked.push(text);
        return Promise.resolve(answers[asked.length - 1]!);
      },
    });
    expect(asked[0]).toBe('pause run_0abc (octo/r0)? [y/N] ');
    expect(decisions.map((d) => d.how)).toEqual(['confirm', 'confirm', 'cancel', 'cancel', 'cancel', 'cancel']);
    expect(settled.map((s) => s.status)).toEqual(['done', 'done', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('without a terminal and without --yes every action is cancelled and reported not_run; no token in what it returns', async () => {
    const { cli, decisions } = recordingAssistant();
    const settled = await settleActions(cli, [action(1)], { kind: 'unavailable' });
    expect(decisions.map((d) => d.how)).toEqual(['cancel']);
    expect(settled).toEqual([{ action_id: 'act_1', tool: 'pause_run', summary: 'pause run_1abc (octo/r1)', status: 'not_run', result: 'Cancelled. Nothing ran.' }]);
    expect(JSON.stringify(settled)).not.toContain('secret-value');
  });
});

describe('turnStatus', () => {
  const answered: AskResult = { kind: 'answered', requestId: 'ask_1', reply: 'ok', actions: [], usage: USAGE };
  const budget: AskResult = { kind: 'budget_exhausted', requestId: 'ask_1', reply: 'out', budget: 'tool_calls', actions: [], usage: USAGE };
  const down: AskResult = { kind: 'model_unavailable', requestId: 'ask_1', reply: 'unreachable', usage: USAGE };
  const settled = (status: SettledAction['status']): SettledAction => ({ action_id: 'a', tool: 't', summary: 's', status, result: 'r' });

  it.each<[string, AskResult, SettledAction[], ReturnType<typeof turnStatus>]>([
    ['answered, nothing to confirm', answered, [], 'ok'],
    ['answered, confirmed and done', answered, [settled('done')], 'ok'],
    ['answered, cancelled by the person', answered, [settled('cancelled')], 'ok'],
    ['answered, a confirmed write failed', answered, [settled('done'), settled('failed')], 'failed'],
    ['answered, a confirmation refused (expired)', answered, [settled('refused')], 'failed'],
    ['answered, a write nobody could confirm', answered, [settled('done'), settled('not_run')], 'usage'],
    ['budget spent', budget, [], 'busy'],
    ['budget spent and a write nobody could confirm', budget, [settled('not_run')], 'usage'],
    ['model unavailable', down, [], 'failed'],
  ])('%s → %s', (_name, result, actions, status) => {
    expect(turnStatus(result, actions)).toBe(status);
  });
});

describe('askOutput', () => {
  it('is the JSON shape of a turn in snake_case, with the budget when one ran out', () => {
    const result: AskResult = { kind: 'budget_exhausted', requestId: 'ask_1', reply: 'out', budget: 'request_tokens', actions: [action(1)], usage: USAGE };
    expect(askOutput(result, [])).toEqual({
      request_id: 'ask_1',
      kind: 'budget_exhausted',
      reply: 'out',
      budget: 'request_tokens',
      actions: [],
      usage: { input_tokens: 120, output_tokens: 30, tool_calls: 1, cost_usd: 0.0004 },
    });
  });
});
