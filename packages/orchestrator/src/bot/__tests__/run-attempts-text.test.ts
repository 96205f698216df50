import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, openStore, recordAttempt, setAttemptVerdict, type AttemptUsage, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import { agentAttemptLines, attemptEngineText } from '../run-attempts-text.js';

// Issue 19: the bot's run view names the engine and model of each agent attempt, over attempts written by the
// store's own recordAttempt, on every dialect under test.

const T0 = Date.parse('2026-12-03T09:00:00.000Z');
const at = (minutes: number) => () => new Date(T0 + minutes * 60_000);
const usage = (engine: string, model: string | null): AttemptUsage => ({
  engine, model, inputTokens: 10, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0,
});

describe.each(dialectsUnderTest())('agentAttemptLines on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;
  afterAll(() => cleanupTempDirs());
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
    await createRun(store.db, { runId: 'run_b', owner: 'acme', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/w/run_b', campaign: null }, at(0));
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  const agent = async (minute: number, u: AttemptUsage | null, grade: string | null, reason = 'runtime_success') => {
    const row = await recordAttempt(store.db, { runId: 'run_b', step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 240_000, usage: u }, at(minute));
    if (grade) await setAttemptVerdict(store.db, row.id, { grade, reasonCode: reason });
  };

  it('counts the agent attempts per engine and lists the newest with engine, model, verdict and time', async () => {
    expect(await agentAttemptLines(store.db, 'run_b')).toEqual([]);
    await recordAttempt(store.db, { runId: 'run_b', step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 5000 }, at(1));
    await agent(2, null, 'RETRYABLE', 'test_command_failed');
    await agent(3, usage('codex', 'gpt-5-codex'), 'RETRYABLE', 'test_command_failed');
    await agent(4, usage('claude', 'claude-sonnet-4-5'), 'PASS');
    await agent(5, usage('claude', 'claude-sonnet-4-5'), null);
    expect(await agentAttemptLines(store.db, 'run_b')).toEqual([
      'agent attempts: 4 (claude 2, codex 1, unknown engine 1)',
      '  #4 claude · claude-sonnet-4-5: succeeded, 4 min',
      '  #3 claude · claude-sonnet-4-5: PASS runtime_success, 4 min',
      '  #2 codex · gpt-5-codex: RETRYABLE test_command_failed, 4 min',
    ]);
  });

  it('shows a hostile model name with its controls replaced, and describes an over-long one instead of cutting it', async () => {
    await agent(1, usage('claude', 'claude-\u202eevil\n\u001b[31m'), 'PASS');
    await agent(2, usage('claude', `claude-${'x'.repeat(300)}`), 'PASS');
    const lines = await agentAttemptLines(store.db, 'run_b');
    expect(lines[1]).toBe('  #2 claude · [a 307-character name]: PASS runtime_success, 4 min');
    expect(lines[2]).toBe('  #1 claude · claude-\uFFFDevil\uFFFD\uFFFD[31m: PASS runtime_success, 4 min');
    expect(lines.join('\n')).not.toMatch(/[\u001b\u202e]/);
  });
});

describe('attemptEngineText', () => {
  it('names the engine alone without a model, and an unknown engine for old attempts', () => {
    expect(attemptEngineText({ engine: 'codex', model: null })).toBe('codex');
    expect(attemptEngineText({ engine: null, model: null })).toBe('unknown engine');
    expect(attemptEngineText({ engine: null, model: 'gpt-5' })).toBe('unknown engine · gpt-5');
  });
});
