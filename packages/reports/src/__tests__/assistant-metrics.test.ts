import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, recordAssistantRequest, type AssistantRequestRecord, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { assistantMetrics, ReportError } from '../index.js';

afterAll(() => cleanupTempDirs());

const NOW = new Date('2026-12-05T12:00:00.000Z');
const clock = (): Date => NOW;

function request(id: string, over: Partial<AssistantRequestRecord>): AssistantRequestRecord {
  return {
    request_id: id,
    channel: 'telegram',
    chat_key: 'tg:100',
    user_key: 'tg:7',
    model: 'gpt-4.1-mini',
    input_tokens: 1000,
    output_tokens: 100,
    tool_calls: 1,
    cost_usd: 0.001,
    outcome: 'answered',
    budget: null,
    created_at: '2026-12-05T09:00:00.000Z',
    ...over,
  };
}

describe.each(dialectsUnderTest())('assistantMetrics on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;

  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
    const rows = [
      request('old', { created_at: '2026-11-28T23:59:59.999Z', input_tokens: 99_999 }),
      request('d1', { created_at: '2026-11-29T00:00:00.000Z' }),
      request('d2', { created_at: '2026-12-04T10:00:00.000Z', chat_key: 'cli:alice', channel: 'cli', user_key: 'cli:alice', input_tokens: 5000, output_tokens: 500, cost_usd: 0.0028 }),
      request('d3', { outcome: 'budget_exhausted', budget: 'daily_tokens_per_chat', input_tokens: 0, output_tokens: 0, tool_calls: 0, cost_usd: 0 }),
      request('d4', { outcome: 'model_unavailable', model: 'llama3.1:8b', input_tokens: 200, output_tokens: 0, tool_calls: 0, cost_usd: 0 }),
    ];
    for (const row of rows) await recordAssistantRequest(store.db, row);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('sums the last 7 UTC days in total, per day, per chat (largest first) and per model', async () => {
    const m = await assistantMetrics({ db: store.db, clock });
    expect(m.window).toEqual({ since: '2026-11-29T00:00:00.000Z', until: '2026-12-05T12:00:00.000Z', days: 7, chat_key: null });
    expect(m.totals).toEqual({
      requests: 4, answered: 2, budget_exhausted: 1, model_unavailable: 1, input_tokens: 6200, output_tokens: 600, tool_calls: 2, cost_usd: 0.0038, chats: 2,
    });
    expect(m.by_day.map((d) => [d.day, d.requests, d.input_tokens])).toEqual([['2026-11-29', 1, 1000], ['2026-12-04', 1, 5000], ['2026-12-05', 2, 200]]);
    expect(m.by_chat.map((c) => [c.chat_key, c.requests, c.input_tokens + c.output_tokens])).toEqual([['cli:alice', 1, 5500], ['tg:100', 3, 1300]]);
    expect(m.by_model.map((c) => [c.model, c.requests, c.model_unavailable])).toEqual([['gpt-4.1-mini', 3, 0], ['llama3.1:8b', 1, 1]]);
  });

  it('narrows to one chat, to today, or from an ISO date; limit caps the chat and model lists only', async () => {
    const chat = await assistantMetrics({ db: store.db, clock }, { chatKey: 'tg:100', since: 1 });
    expect(chat.window).toMatchObject({ since: '2026-12-05T00:00:00.000Z', days: 1, chat_key: 'tg:100' });
    expect(chat.totals).toMatchObject({ requests: 2, budget_exhausted: 1, model_unavailable: 1, chats: 1 });
    const fromDate = await assistantMetrics({ db: store.db, clock }, { since: '2026-11-01', limit: 1 });
    expect(fromDate.window).toMatchObject({ since: '2026-11-01T00:00:00.000Z', days: null });
    expect(fromDate.totals).toMatchObject({ requests: 5, chats: 2, input_tokens: 106_199 });
    expect(fromDate.by_chat.map((c) => c.chat_key)).toEqual(['tg:100']);
    expect(fromDate.by_model).toHaveLength(1);
    const empty = await assistantMetrics({ db: store.db, clock }, { chatKey: 'tg:999' });
    expect(empty).toMatchObject({ totals: { requests: 0, cost_usd: 0, chats: 0 }, by_day: [], by_chat: [], by_model: [] });
  });

  it('bad input is a one-line usage error', async () => {
    const ctx = { db: store.db, clock };
    for (const input of [{ since: 0 }, { since: 1.5 }, { since: 'last week' }, { since: '2026-13-45' }, { limit: 0 }, { chatKey: ' ' }]) {
      const error = await assistantMetrics(ctx, input).catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toBeInstanceOf(ReportError);
      expect((error as ReportError).code).toBe('usage');
      expect((error as ReportError).message).not.toContain('\n');
    }
  });
});
