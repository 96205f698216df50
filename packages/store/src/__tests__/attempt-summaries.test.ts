import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase } from '@agentpr/testing';
import { createRun, listAttempts, listAttemptSummaries, openStore, recordAttempt, type Clock, type OpenDatabase } from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
const at = (ms: number): Clock => () => new Date(T0 + ms);

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

/** A run with a prepare, two agent attempts (big logs, one with usage) and a finish. */
async function seed(store: OpenDatabase): Promise<{ agentStderr: string }> {
  await createRun(store.db, { runId: 'run_s', owner: 'o', repo: 'r', promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: '/w/run_s' }, at(0));
  // Multi-byte characters (2 bytes in UTF-8, one UTF-16 unit) so that a tail counted in bytes would differ.
  const agentStderr = `${'é'.repeat(3000)}\nline two ✓\n${'x'.repeat(5000)}\nthe end é`;
  await recordAttempt(store.db, { runId: 'run_s', step: 'prepare', succeeded: true, stdout: 'ok', stderr: '', durationMs: 10 }, at(1));
  await recordAttempt(
    store.db,
    { runId: 'run_s', step: 'agent', succeeded: false, processExit: 3, stdout: 'o'.repeat(70_000), stderr: agentStderr, durationMs: 1500, grade: 'RETRYABLE', reasonCode: 'tests_failed', stage: 'IMPLEMENTATION' },
    at(2),
  );
  await recordAttempt(
    store.db,
    {
      runId: 'run_s', step: 'agent', succeeded: true, stdout: 'done', stderr: 'short', durationMs: 900, grade: 'PASS', reasonCode: 'ok', stage: 'IMPLEMENTATION',
      usage: { engine: 'codex', model: 'gpt-5', inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300, reasoningTokens: null },
    },
    at(3),
  );
  await recordAttempt(store.db, { runId: 'run_s', step: 'finish', succeeded: true, stdout: '', stderr: '', durationMs: 20 }, at(4));
  return { agentStderr };
}

describe.each(dialectsUnderTest())('listAttemptSummaries on %s', (kind) => {
  it('reads every column of listAttempts but the logs, newest first, as numbers', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      const full = await listAttempts(store.db, 'run_s', { limit: 10 });
      const summaries = await listAttemptSummaries(store.db, 'run_s', { limit: 10 });
      expect(summaries).toEqual(full.map(({ stdout_log: _o, stderr_log: _e, ...rest }) => rest));
      expect(summaries.every((s) => !('stdout_log' in s) && !('stderr_log' in s) && !('stderr_tail' in s))).toBe(true);
      expect(summaries.map((s) => [s.step, s.attempt_no, s.exit_code])).toEqual([['finish', 1, 0], ['agent', 2, 0], ['agent', 1, 3], ['prepare', 1, 0]]);
      const usage = summaries[1]!;
      const values = [usage.id, usage.duration_ms, usage.input_tokens, usage.cached_input_tokens, usage.output_tokens, usage.reasoning_tokens];
      expect(values.map((v) => typeof v)).toEqual(['number', 'number', 'number', 'number', 'number', 'object']);
    });
  });

  it('limits and filters by step like listAttempts', async () => {
    await withStore(kind, async (store) => {
      await seed(store);
      const agents = await listAttemptSummaries(store.db, 'run_s', { limit: 10, step: 'agent' });
      expect(agents.map((a) => [a.attempt_no, a.grade])).toEqual([[2, 'PASS'], [1, 'RETRYABLE']]);
      expect((await listAttemptSummaries(store.db, 'run_s', { limit: 1 })).map((a) => a.step)).toEqual(['finish']);
      expect(await listAttemptSummaries(store.db, 'run_unknown', { limit: 10 })).toEqual([]);
    });
  });

  it('with stderrTailChars, reads the last characters of stderr (all of a shorter one) and nothing of stdout', async () => {
    await withStore(kind, async (store) => {
      const { agentStderr } = await seed(store);
      const rows = await listAttemptSummaries(store.db, 'run_s', { limit: 10, step: 'agent', stderrTailChars: 6000 });
      expect(rows.map((r) => r.stderr_tail)).toEqual(['short', agentStderr.slice(-6000)]);
      expect(rows[1]!.stderr_tail.endsWith('\nthe end é')).toBe(true);
      expect(rows.every((r) => !('stdout_log' in r) && !('stderr_log' in r))).toBe(true);
      const all = await listAttemptSummaries(store.db, 'run_s', { limit: 10, stderrTailChars: 100_000 });
      expect(all.map((r) => r.stderr_tail)).toEqual(['', 'short', agentStderr, '']);
    });
  });

  it('refuses a tail length that is not a positive integer', async () => {
    await withStore(kind, async (store) => {
      for (const n of [0, -5, 1.5]) {
        await expect(listAttemptSummaries(store.db, 'run_s', { limit: 1, stderrTailChars: n })).rejects.toThrow(/stderrTailChars must be a positive integer/);
      }
    });
  });
});
