import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, recordAssistantRequest, type AssistantRequestRecord } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';

// Issue 16, what the natural-language operator costs: `agentpr assistant-metrics` through the built binary, over
// rows recorded by the store's own functions, on every dialect under test.

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const DAY_MS = 86_400_000;
afterAll(() => cleanupTempDirs());

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function request(id: string, createdAt: number, over: Partial<AssistantRequestRecord> = {}): AssistantRequestRecord {
  return {
    request_id: id,
    channel: 'telegram',
    chat_key: 'tg:100',
    user_key: 'tg:7',
    model: 'gpt-4.1-mini',
    input_tokens: 1000,
    output_tokens: 100,
    tool_calls: 1,
    cost_usd: 0.00056,
    outcome: 'answered',
    budget: null,
    created_at: new Date(createdAt).toISOString(),
    ...over,
  };
}

/** Requests of today, three days ago and ten days ago, in two chats and with every outcome. */
async function seed(db: TestDatabase): Promise<void> {
  const store = await openStore(db.location);
  const now = Date.now();
  try {
    await recordAssistantRequest(store.db, request('req_today_1', now));
    await recordAssistantRequest(store.db, request('req_today_2', now, { outcome: 'budget_exhausted', budget: 'daily_tokens_per_chat', input_tokens: 0, output_tokens: 0, tool_calls: 0, cost_usd: 0 }));
    await recordAssistantRequest(store.db, request('req_3d', now - 3 * DAY_MS, { channel: 'cli', chat_key: 'cli:alice', user_key: 'cli:alice', input_tokens: 8000, output_tokens: 900, tool_calls: 4, cost_usd: 0.00464 }));
    await recordAssistantRequest(store.db, request('req_3d_down', now - 3 * DAY_MS, { outcome: 'model_unavailable', model: 'llama3.1:8b', input_tokens: 0, output_tokens: 0, tool_calls: 0, cost_usd: 0 }));
    await recordAssistantRequest(store.db, request('req_old', now - 10 * DAY_MS, { input_tokens: 50_000 }));
  } finally {
    await store.close();
  }
}

describe.each(dialectsUnderTest())('agentpr assistant-metrics on %s (issue 16)', (kind) => {
  it('prints JSON totals and per-day, per-chat and per-model sums; --days and --chat-key narrow it; bad flags exit 2 with one line', async () => {
    const db = await freshDatabase(kind);
    try {
      const home = tempDir('agentpr-assistant-metrics-');
      const cli = async (args: string[]) => {
        const r = await execa(process.execPath, [BIN, ...db.cliArgs, '--data-dir', home, ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
        return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), json: parse(String(r.stdout)) };
      };
      expect((await cli(['init-db'])).code).toBe(0);

      const empty = await cli(['assistant-metrics']);
      expect(empty.code, empty.stderr).toBe(0);
      expect(empty.json).toMatchObject({ ok: true, window: { days: 7, chat_key: null }, totals: { requests: 0, cost_usd: 0 } });
      expect([empty.json.by_day, empty.json.by_chat, empty.json.by_model]).toEqual([[], [], []]);

      await seed(db);
      const week = await cli(['assistant-metrics']);
      expect(week.code, week.stderr).toBe(0);
      expect(week.json.totals).toEqual({
        requests: 4, answered: 2, budget_exhausted: 1, model_unavailable: 1,
        input_tokens: 9000, output_tokens: 1000, tool_calls: 5, cost_usd: 0.0052, chats: 2,
      });
      expect(week.json.by_day.map((d: any) => d.requests)).toEqual([2, 2]);
      expect(week.json.by_chat.map((c: any) => [c.chat_key, c.requests])).toEqual([['cli:alice', 1], ['tg:100', 3]]);
      expect(week.json.by_model.map((m: any) => [m.model, m.requests, m.model_unavailable])).toEqual([['gpt-4.1-mini', 3, 0], ['llama3.1:8b', 1, 1]]);

      const today = await cli(['assistant-metrics', '--days', '1', '--chat-key', 'tg:100']);
      expect(today.code, today.stderr).toBe(0);
      expect(today.json.window).toMatchObject({ days: 1, chat_key: 'tg:100' });
      expect(today.json.window.since).toBe(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);
      expect(today.json.totals).toMatchObject({ requests: 2, answered: 1, budget_exhausted: 1, input_tokens: 1000, chats: 1 });

      const all = await cli(['assistant-metrics', '--days', '30']);
      expect(all.json.totals).toMatchObject({ requests: 5, input_tokens: 59_000 });

      for (const bad of [['--days', 'many'], ['--days', '0'], ['--since', 'last week'], ['--days', '3', '--since', '2026-12-01'], ['--limit', '0'], ['--chat-key', ' ']]) {
        const r = await cli(['assistant-metrics', ...bad]);
        expect(r.code, `${bad.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr.trim().split('\n'), bad.join(' ')).toHaveLength(1);
      }
    } finally {
      await db.drop();
    }
  });
});

describe.runIf(HAS_SCRIPT)('agentpr assistant-metrics on a terminal', () => {
  it('prints a summary line and the day, chat and model tables', async () => {
    const db = await freshDatabase('sqlite');
    const home = tempDir('agentpr-assistant-metrics-tty-');
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const run = (args: string[]) => {
      const command = [process.execPath, BIN, ...db.cliArgs, '--data-dir', home, ...args].map(quote).join(' ');
      return execa('script', ['-qec', command, '/dev/null'], { reject: false, stdin: 'ignore', timeout: 30_000 });
    };
    expect((await run(['init-db'])).exitCode).toBe(0);
    await seed(db);
    const r = await run(['assistant-metrics']);
    const text = String(r.stdout).replace(/\r/g, '');
    expect(r.exitCode, text).toBe(0);
    expect(text).toMatch(/^4 requests from 2 chats since \d{4}-\d{2}-\d{2}T00:00:00\.000Z: 10000 tokens, 5 tool calls, \$0\.0052$/m);
    expect(text).toMatch(/^DAY +REQUESTS +ANSWERED +BUDGET +UNAVAILABLE +IN TOKENS +OUT TOKENS +TOOL CALLS +COST$/m);
    expect(text).toMatch(/^cli:alice +1 +1 +0 +0 +8000 +900 +4 +\$0\.0046$/m);
    expect(text).toMatch(/^llama3\.1:8b +1 +0 +0 +1 +0 +0 +0 +\$0\.00$/m);
  });
});
