import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import {
  assistantTokensSince,
  assistantUsage,
  getAssistantActionByTokenHash,
  insertAssistantAction,
  listAssistantRequests,
  openStore,
  recordAssistantRequest,
  settleAssistantAction,
  type AssistantActionRecord,
  type AssistantRequestRecord,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

function request(id: string, over: Partial<AssistantRequestRecord> = {}): AssistantRequestRecord {
  return {
    request_id: id,
    channel: 'telegram',
    chat_key: 'tg:100',
    user_key: 'tg:7',
    model: 'gpt-test',
    input_tokens: 1000,
    output_tokens: 200,
    tool_calls: 2,
    cost_usd: 0.0125,
    outcome: 'answered',
    budget: null,
    created_at: '2026-12-05T10:00:00.000Z',
    ...over,
  };
}

function action(id: string, over: Partial<AssistantActionRecord> = {}): AssistantActionRecord {
  return {
    action_id: id,
    token_sha256: id.padEnd(64, 'a'),
    request_id: 'req_1',
    chat_key: 'tg:100',
    user_key: 'tg:7',
    tool: 'pause_run',
    args_json: '{"run_id":"run_a"}',
    summary: 'Pause run_a',
    status: 'pending',
    created_at: '2026-12-05T10:00:00.000Z',
    expires_at: '2026-12-05T10:05:00.000Z',
    decided_at: null,
    result_text: null,
    ...over,
  };
}

describe.each(dialectsUnderTest())('assistant store on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;

  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('records requests and reads them back newest first, filtered by time and chat, with numbers as numbers', async () => {
    await recordAssistantRequest(store.db, request('req_1', { created_at: '2026-12-04T23:59:59.999Z' }));
    await recordAssistantRequest(store.db, request('req_2', { chat_key: 'cli:alice', channel: 'cli', outcome: 'budget_exhausted', budget: 'daily_tokens_per_chat' }));
    await recordAssistantRequest(store.db, request('req_3', { created_at: '2026-12-05T11:00:00.000Z', cost_usd: 1.5 }));
    const all = await listAssistantRequests(store.db, {});
    expect(all.map((r) => r.request_id)).toEqual(['req_3', 'req_2', 'req_1']);
    expect(all[0]).toEqual(request('req_3', { created_at: '2026-12-05T11:00:00.000Z', cost_usd: 1.5 }));
    expect(all[1]).toMatchObject({ channel: 'cli', outcome: 'budget_exhausted', budget: 'daily_tokens_per_chat' });
    expect((await listAssistantRequests(store.db, { since: '2026-12-05T00:00:00.000Z' })).map((r) => r.request_id)).toEqual(['req_3', 'req_2']);
    expect((await listAssistantRequests(store.db, { chatKey: 'tg:100' })).map((r) => r.request_id)).toEqual(['req_3', 'req_1']);
    expect((await listAssistantRequests(store.db, { limit: 1 })).map((r) => r.request_id)).toEqual(['req_3']);
  });

  it('assistantTokensSince sums input and output tokens of one chat from a time on (inclusive); none is 0', async () => {
    await recordAssistantRequest(store.db, request('req_old', { created_at: '2026-12-04T23:59:59.999Z' }));
    await recordAssistantRequest(store.db, request('req_edge', { created_at: '2026-12-05T00:00:00.000Z', input_tokens: 10, output_tokens: 5 }));
    await recordAssistantRequest(store.db, request('req_new', { input_tokens: 300, output_tokens: 40 }));
    await recordAssistantRequest(store.db, request('req_other', { chat_key: 'tg:200' }));
    expect(await assistantTokensSince(store.db, 'tg:100', '2026-12-05T00:00:00.000Z')).toBe(355);
    expect(await assistantTokensSince(store.db, 'tg:999', '2026-12-05T00:00:00.000Z')).toBe(0);
  });

  it('assistantUsage sums requests per day, chat and model, filtered like the list', async () => {
    await recordAssistantRequest(store.db, request('r1', { created_at: '2026-12-04T08:00:00.000Z', cost_usd: 0.25 }));
    await recordAssistantRequest(store.db, request('r2', { cost_usd: 0.5, outcome: 'model_unavailable', tool_calls: 0 }));
    await recordAssistantRequest(store.db, request('r3', { chat_key: 'cli:bob', model: 'other', outcome: 'budget_exhausted', budget: 'max_tool_calls' }));
    const byDay = await assistantUsage(store.db, {}, 'day');
    expect(byDay.map((d) => [d.key, d.requests, d.answered, d.budget_exhausted, d.model_unavailable])).toEqual([
      ['2026-12-04', 1, 1, 0, 0],
      ['2026-12-05', 2, 0, 1, 1],
    ]);
    expect(byDay[1]).toMatchObject({ input_tokens: 2000, output_tokens: 400, tool_calls: 2 });
    expect(byDay[1]!.cost_usd).toBeCloseTo(0.5125, 10);
    expect((await assistantUsage(store.db, {}, 'chat')).map((c) => [c.key, c.requests])).toEqual([['cli:bob', 1], ['tg:100', 2]]);
    expect((await assistantUsage(store.db, { chatKey: 'tg:100' }, 'model')).map((m) => [m.key, m.requests])).toEqual([['gpt-test', 2]]);
    expect(await assistantUsage(store.db, { since: '2026-12-06T00:00:00.000Z' }, 'day')).toEqual([]);
  });

  it('stores an action by its token hash; a token hash is unique', async () => {
    await insertAssistantAction(store.db, action('act_1'));
    expect(await getAssistantActionByTokenHash(store.db, 'act_1'.padEnd(64, 'a'))).toEqual(action('act_1'));
    expect(await getAssistantActionByTokenHash(store.db, 'f'.repeat(64))).toBeUndefined();
    await expect(insertAssistantAction(store.db, action('act_2', { token_sha256: 'act_1'.padEnd(64, 'a') }))).rejects.toThrow();
  });

  it('settleAssistantAction moves an action only from the expected status and keeps or sets the result text', async () => {
    await insertAssistantAction(store.db, action('act_1'));
    expect(await settleAssistantAction(store.db, 'act_1', { from: 'running', to: 'done', decidedAt: '2026-12-05T10:01:00.000Z' })).toBe(false);
    expect(await settleAssistantAction(store.db, 'act_1', { from: 'pending', to: 'running', decidedAt: '2026-12-05T10:01:00.000Z' })).toBe(true);
    const running = await getAssistantActionByTokenHash(store.db, 'act_1'.padEnd(64, 'a'));
    expect(running).toMatchObject({ status: 'running', decided_at: '2026-12-05T10:01:00.000Z', result_text: null });
    expect(await settleAssistantAction(store.db, 'act_1', { from: 'running', to: 'done', decidedAt: '2026-12-05T10:01:02.000Z', resultText: 'paused' })).toBe(true);
    expect(await getAssistantActionByTokenHash(store.db, 'act_1'.padEnd(64, 'a'))).toMatchObject({ status: 'done', result_text: 'paused' });
    expect(await settleAssistantAction(store.db, 'unknown', { from: 'pending', to: 'cancelled', decidedAt: '2026-12-05T10:02:00.000Z' })).toBe(false);
  });

  it('of two concurrent settles from two connections, exactly one moves the action', async () => {
    const other = await openStore(tdb.location);
    try {
      for (let i = 0; i < 10; i++) {
        await insertAssistantAction(store.db, action(`act_${i}`));
        const change = { from: 'pending', to: 'running', decidedAt: '2026-12-05T10:01:00.000Z' } as const;
        const results = await Promise.all([settleAssistantAction(store.db, `act_${i}`, change), settleAssistantAction(other.db, `act_${i}`, change)]);
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });
});
