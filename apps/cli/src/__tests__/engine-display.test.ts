import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRun, openStore, recordAttempt, setAttemptVerdict, type AttemptUsage, type Db } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, textSink, type TestDatabase } from '@agentpr/testing';
import { main } from '../main.js';

// Issue 19: each agent attempt's engine (codex, claude) and model, in show-run and inspect-run, JSON and text, over
// attempts written by the store's own recordAttempt, on every dialect under test. Model names can come from the
// agent's own stream: a hostile one is shown with its controls replaced, never raw.

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-02T08:00:00.000Z');
const at = (minutes: number) => () => new Date(T0 + minutes * 60_000);
const PRICES = {
  'gpt-5-codex': { input_per_mtok: 1, cached_input_per_mtok: 0.1, output_per_mtok: 10 },
  'claude-sonnet-4-5': { input_per_mtok: 3, cached_input_per_mtok: 0.3, output_per_mtok: 15 },
};
const HOSTILE_MODEL = `claude-\u001b[31mred\u202eevil\n${'x'.repeat(40)}`;
const SHOWN_MODEL = `claude-\uFFFD[31mred\uFFFDevil\uFFFD${'x'.repeat(40)}`;

const usage = (engine: string, model: string, input: number, cached: number, output: number): AttemptUsage => ({
  engine, model, inputTokens: input, cachedInputTokens: cached, outputTokens: output, reasoningTokens: 0,
});

async function agent(db: Db, runId: string, minute: number, u: AttemptUsage, grade: string, reason: string): Promise<void> {
  const row = await recordAttempt(db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 90_000, stage: 'IMPLEMENTING', usage: u }, at(minute));
  await setAttemptVerdict(db, row.id, { grade, reasonCode: reason });
}

async function seed(db: Db): Promise<void> {
  for (const runId of ['run_mixed', 'run_hostile']) {
    await createRun(db, { runId, owner: 'acme', repo: runId.slice(4), promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign: null }, at(0));
  }
  await recordAttempt(db, { runId: 'run_mixed', step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 4000 }, at(1));
  await agent(db, 'run_mixed', 2, usage('codex', 'gpt-5-codex', 1_000_000, 200_000, 50_000), 'RETRYABLE', 'test_command_failed');
  await agent(db, 'run_mixed', 3, usage('claude', 'claude-sonnet-4-5', 200_000, 100_000, 20_000), 'PASS', 'runtime_success');
  await agent(db, 'run_hostile', 2, usage('claude', HOSTILE_MODEL, 1000, 0, 100), 'PASS', 'runtime_success');
}

/** A fresh database with the seed, and the CLI over it: JSON, or the text a terminal gets. */
async function setup(kind: 'sqlite' | 'postgres') {
  const tdb: TestDatabase = await freshDatabase(kind);
  const home = tempDir('agentpr-engine-display-');
  writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({ pricing: { currency: 'USD', models: PRICES } }));
  const run = async (args: string[], tty: boolean) => {
    const stdout = Object.assign(textSink(), { isTTY: tty });
    const stderr = textSink();
    const code = await main([...tdb.cliArgs, '--data-dir', home, '--skip-doctor', ...args], { stdout, stderr, env: { PATH: process.env.PATH, HOME: home } });
    expect(code, stderr.text).toBe(0);
    return stdout.text;
  };
  await run(['init-db'], false);
  const store = await openStore(tdb.location);
  try {
    await seed(store.db);
  } finally {
    await store.close();
  }
  return { json: async (args: string[]) => JSON.parse(await run(args, false)), text: (args: string[]) => run(args, true), drop: () => tdb.drop() };
}

describe.each(dialectsUnderTest())('the engine of each agent attempt in show-run and inspect-run, on %s (issue 19)', (kind) => {
  it('show-run lists tokens and cost per engine and model, in JSON and as text', async () => {
    const cli = await setup(kind);
    try {
      const shown = await cli.json(['show-run', '--run-id', 'run_mixed']);
      // codex: 0.8M × 1 + 0.2M × 0.1 + 0.05M × 10 = 1.32; claude: 0.1M × 3 + 0.1M × 0.3 + 0.02M × 15 = 0.63
      expect(shown.usage_by_engine).toEqual([
        { engine: 'codex', model: 'gpt-5-codex', label: 'codex · gpt-5-codex', attempts: 1, attempts_with_usage: 1, total_tokens: 1_050_000, cost: 1.32 },
        { engine: 'claude', model: 'claude-sonnet-4-5', label: 'claude · claude-sonnet-4-5', attempts: 1, attempts_with_usage: 1, total_tokens: 220_000, cost: 0.63 },
      ]);
      expect(shown.usage).toMatchObject({ agent_attempts: 2, total_tokens: 1_270_000, cost: 1.95 });
      const text = await cli.text(['show-run', '--run-id', 'run_mixed']);
      expect(text).toMatch(/^tokens: 1,270,000 over 2 agent attempts .*; cost \$1\.95\n {2}codex · gpt-5-codex: 1 attempt, 1,050,000 tokens, \$1\.32\n {2}claude · claude-sonnet-4-5: 1 attempt, 220,000 tokens, \$0\.63$/m);
    } finally {
      await cli.drop();
    }
  });

  it('inspect-run names the engine and model of every agent attempt, in JSON and in its attempts table', async () => {
    const cli = await setup(kind);
    try {
      const view = await cli.json(['inspect-run', '--run-id', 'run_mixed']);
      expect(view.timing.attempts.map((a: Record<string, unknown>) => [a.step, a.engine ?? null, a.model ?? null, a.engine_label ?? null])).toEqual([
        ['prepare', null, null, null],
        ['agent', 'codex', 'gpt-5-codex', 'codex · gpt-5-codex'],
        ['agent', 'claude', 'claude-sonnet-4-5', 'claude · claude-sonnet-4-5'],
      ]);
      expect(view.usage_by_engine.map((e: { label: string }) => e.label)).toEqual(['codex · gpt-5-codex', 'claude · claude-sonnet-4-5']);
      const text = await cli.text(['inspect-run', '--run-id', 'run_mixed']);
      expect(text).toMatch(/^AGENT ATTEMPT +ENGINE +VERDICT +TIME +TOKENS$/m);
      expect(text).toMatch(/^agent 1 +codex · gpt-5-codex +RETRYABLE test_command_failed +1 min 30 s +1,050,000$/m);
      expect(text).toMatch(/^agent 2 +claude · claude-sonnet-4-5 +PASS runtime_success +1 min 30 s +220,000$/m);
      expect(text).toMatch(/^ {2}claude · claude-sonnet-4-5: 1 attempt, 220,000 tokens, \$0\.63$/m);
    } finally {
      await cli.drop();
    }
  });

  it('a hostile model name is shown with its controls replaced, in both commands\' text and JSON labels', async () => {
    const cli = await setup(kind);
    try {
      const texts = [await cli.text(['show-run', '--run-id', 'run_hostile']), await cli.text(['inspect-run', '--run-id', 'run_hostile'])];
      for (const text of texts) {
        expect(text).not.toMatch(/[\u001b\u202e]/);
        expect(text).toContain(`claude · ${SHOWN_MODEL}`);
        expect(text).toContain(`note: no price for ${SHOWN_MODEL} in pricing.models`);
      }
      const view = await cli.json(['inspect-run', '--run-id', 'run_hostile']);
      expect(view.timing.attempts[0].engine_label).toBe(`claude · ${SHOWN_MODEL}`);
      // The raw value stays in JSON (escaped by JSON itself), for tools that want it.
      expect(view.timing.attempts[0].model).toBe(HOSTILE_MODEL);
    } finally {
      await cli.drop();
    }
  });

  it('campaign-report and run-bottlenecks show each engine in their text too, not only in JSON', async () => {
    const cli = await setup(kind);
    try {
      const report = await cli.text(['campaign-report']);
      expect(report).toMatch(/^ENGINE · MODEL +RUNS +ATTEMPTS +TOKENS +COST$/m);
      expect(report).toMatch(/^codex · gpt-5-codex +1 +1 +1,050,000 +\$1\.32$/m);
      expect(report).toMatch(/^claude · claude-sonnet-4-5 +1 +1 +220,000 +\$0\.63$/m);
      expect(report).not.toMatch(/[\u001b\u202e]/);
      const bottlenecks = await cli.text(['run-bottlenecks']);
      expect(bottlenecks).toMatch(/^STEP +SAMPLES +AVG +MEDIAN +P90 +MAX +ENGINES$/m);
      expect(bottlenecks).toMatch(/^agent +3 .* (codex 1, claude 2|claude 2, codex 1)$/m);
      expect(bottlenecks).toMatch(/^prepare +1 .* -$/m);
    } finally {
      await cli.drop();
    }
  });
});
