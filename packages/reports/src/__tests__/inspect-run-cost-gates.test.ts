import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, insertGateCheck, openStore, recordAttempt, type Clock, type OpenDatabase } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';
import { inspectRun } from '../index.js';
import { testReportPaths } from './report-test-context.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (minutes: number): Clock => () => new Date(T0 + minutes * 60_000);

describe.each(dialectsUnderTest())('inspectRun shows tokens, cost, gate verdicts and the linked issue, on %s', (kind) => {
  let tdb: TestDatabase;
  let store: OpenDatabase;
  afterAll(() => cleanupTempDirs());
  beforeEach(async () => {
    tdb = await freshDatabase(kind);
    store = await openStore(tdb.location);
    await createRun(store.db, { runId: 'run_c', owner: 'octo', repo: 'widgets', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: '/nonexistent/run_c', campaign: 'acme' });
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  const agent = (model: string | null, input: number, cached: number, output: number, reasoning: number, engine = 'codex') =>
    recordAttempt(store.db, {
      runId: 'run_c',
      step: 'agent',
      succeeded: true,
      processExit: 0,
      stdout: '',
      stderr: '',
      durationMs: 1000,
      usage: { engine, model, inputTokens: input, cachedInputTokens: cached, outputTokens: output, reasoningTokens: reasoning },
    }, at(1));

  it('inspectRun sums the agent attempts\' tokens, prices them from the policy file, and prices each attempt', async () => {
    await agent('gpt-5-codex', 1_000_000, 200_000, 50_000, 10_000);
    await agent('gpt-5-codex', 400_000, 400_000, 0, 0);
    await recordAttempt(store.db, { runId: 'run_c', step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 5 }, at(0));
    const paths = testReportPaths(tempDir('agentpr-inspect-cost-'));
    writeFileSync(paths.policyFile, JSON.stringify({ pricing: { models: { 'gpt-5-codex': { input_per_mtok: 1, cached_input_per_mtok: 0.1, output_per_mtok: 10 } } } }));
    const view = await inspectRun({ db: store.db, paths }, { runId: 'run_c' });
    // 0.8M fresh × 1 + 0.6M cached × 0.1 + 0.05M output × 10
    expect(view.usage).toMatchObject({ agent_attempts: 2, input_tokens: 1_400_000, cached_input_tokens: 600_000, output_tokens: 50_000, reasoning_tokens: 10_000, total_tokens: 1_450_000, cost: 1.36, currency: 'USD', notes: [] });
    const attempts = view.timing.attempts;
    expect(attempts.find((a) => a.step === 'prepare')).not.toHaveProperty('cost');
    expect(attempts.filter((a) => a.step === 'agent').map((a) => [a.model, a.input_tokens, a.cost])).toEqual([
      ['gpt-5-codex', 1_000_000, 1.32],
      ['gpt-5-codex', 400_000, 0.04],
    ]);
    expect(view.run).toMatchObject({ campaign: 'acme', linked_issue: null });
  });

  it('inspectRun names the engine and model of each agent attempt and sums tokens and cost per engine and model', async () => {
    await agent('gpt-5-codex', 1_000_000, 200_000, 50_000, 10_000);
    await agent('claude-sonnet-4-5', 200_000, 100_000, 20_000, 0, 'claude');
    await agent('claude-sonnet-4-5', 100_000, 0, 10_000, 0, 'claude');
    await recordAttempt(store.db, { runId: 'run_c', step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 5 }, at(0));
    const paths = testReportPaths(tempDir('agentpr-inspect-engines-'));
    const prices = { 'gpt-5-codex': { input_per_mtok: 1, cached_input_per_mtok: 0.1, output_per_mtok: 10 }, 'claude-sonnet-4-5': { input_per_mtok: 3, cached_input_per_mtok: 0.3, output_per_mtok: 15 } };
    writeFileSync(paths.policyFile, JSON.stringify({ pricing: { models: prices } }));
    const view = await inspectRun({ db: store.db, paths }, { runId: 'run_c' });
    expect(view.timing.attempts.map((a) => [a.step, a.engine, a.model])).toEqual([
      ['agent', 'codex', 'gpt-5-codex'],
      ['agent', 'claude', 'claude-sonnet-4-5'],
      ['agent', 'claude', 'claude-sonnet-4-5'],
      ['prepare', undefined, undefined],
    ]);
    // claude: 0.2M fresh × 3 + 0.1M cached × 0.3 + 0.03M output × 15 = 1.08; codex: 0.8 + 0.02 + 0.5 = 1.32
    expect(view.usage_by_engine).toEqual([
      { engine: 'codex', model: 'gpt-5-codex', label: 'codex · gpt-5-codex', attempts: 1, attempts_with_usage: 1, total_tokens: 1_050_000, cost: 1.32 },
      { engine: 'claude', model: 'claude-sonnet-4-5', label: 'claude · claude-sonnet-4-5', attempts: 2, attempts_with_usage: 2, total_tokens: 330_000, cost: 1.08 },
    ]);
    expect(view.usage.cost).toBeCloseTo(2.4, 6);
  });

  it('inspectRun without a price says so by model; without a policy path it prices nothing', async () => {
    await agent('gpt-5-codex', 100, 0, 10, 0);
    const paths = testReportPaths(tempDir('agentpr-inspect-cost-'));
    writeFileSync(paths.policyFile, JSON.stringify({ pricing: { models: { 'o4-mini': { input_per_mtok: 1, output_per_mtok: 1 } } } }));
    expect((await inspectRun({ db: store.db, paths }, { runId: 'run_c' })).usage).toMatchObject({ cost: null, notes: ['no price for gpt-5-codex in pricing.models'] });
    expect((await inspectRun(store, { runId: 'run_c' })).usage.cost).toBeNull();
  });

  it('inspectRun lists the latest verdict of each gate with the AI stance and its quotes (cleaned), and the linked issue', async () => {
    const check = (gate: string, outcome: string, minute: number, detail: Record<string, unknown>, reason: string | null = null) =>
      insertGateCheck(store.db, { runId: 'run_c', gate, phase: 'prepare', outcome, reasonCode: reason, message: `${gate} said ${outcome}`, detail, override: false, actor: 'manager' }, at(minute));
    await check('ai_policy', 'pass', 0, { stance: 'allowed', quotes: [] });
    await check('ai_policy', 'skip_run', 5, { stance: 'forbidden', quotes: [{ path: 'CONTRIBUTING.md', quote: 'We do not accept\u001b[31m AI-generated PRs.' }] }, 'ai_policy_forbidden');
    await check('etiquette', 'held', 3, { frees_at: '2026-12-01T11:00:00.000Z' }, 'limit_max_prs_per_hour');
    await store.db.updateTable('runs').set({ linked_issue: 42 }).where('run_id', '=', 'run_c').execute();
    const view = await inspectRun(store, { runId: 'run_c' });
    expect(view.run.linked_issue).toBe(42);
    expect(view.gates).toEqual([
      {
        gate: 'ai_policy',
        phase: 'prepare',
        outcome: 'skip_run',
        reason: 'ai_policy_forbidden',
        message: 'ai_policy said skip_run',
        override: false,
        actor: 'manager',
        when: at(5)().toISOString(),
        frees_at: null,
        stance: 'forbidden',
        quotes: [{ path: 'CONTRIBUTING.md', quote: 'We do not accept [31m AI-generated PRs.' }],
      },
      expect.objectContaining({ gate: 'etiquette', outcome: 'held', reason: 'limit_max_prs_per_hour', frees_at: '2026-12-01T11:00:00.000Z' }),
    ]);
    expect(view.gates[1]).not.toHaveProperty('stance');
  });
});
