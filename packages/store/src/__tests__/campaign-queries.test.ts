import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, type TestDatabase } from '@agentpr/testing';
import {
  applyEvent,
  campaignNames,
  campaignRunFacts,
  campaignUsage,
  claimStaleClose,
  createRun,
  acquireLease,
  insertGateCheck,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  openSqliteReader,
  openStore,
  readRunFactsSqlite,
  recordAttempt,
  recordPrOpened,
  recordRejection,
  runUsage,
  type AttemptUsage,
  type Clock,
  type OpenDatabase,
} from '../index.js';

afterAll(() => cleanupTempDirs());

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number): Clock => () => new Date(T0 + ms);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

async function withStore(kind: 'sqlite' | 'postgres', fn: (store: OpenDatabase, db: TestDatabase) => Promise<void>): Promise<void> {
  const tdb = await freshDatabase(kind);
  const store = await openStore(tdb.location);
  try {
    await fn(store, tdb);
  } finally {
    await store.close();
    await tdb.drop();
  }
}

const PUSH_PATH = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: 'c' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'b', head_sha: 'h' },
] as const;

async function run(store: OpenDatabase, runId: string, campaign: string | null, createdMs: number, repo = 'widgets'): Promise<void> {
  await createRun(store.db, { runId, owner: 'Acme', repo, promptVersion: 'v', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign }, at(createdMs));
}

async function prepared(store: OpenDatabase, runId: string, succeeded = true): Promise<void> {
  await recordAttempt(store.db, { runId, step: 'prepare', succeeded, stdout: '', stderr: '', durationMs: 5 }, at(HOUR));
}

async function pushed(store: OpenDatabase, runId: string): Promise<void> {
  for (const event of PUSH_PATH) await applyEvent(store.db, runId, { event: { ...event, actor: 'operator' } }, at(HOUR));
}

const usage = (model: string | null, input: number | null, cached: number, output: number, reasoning: number): AttemptUsage => ({
  engine: 'codex',
  model,
  inputTokens: input,
  cachedInputTokens: input === null ? null : cached,
  outputTokens: input === null ? null : output,
  reasoningTokens: input === null ? null : reasoning,
});

async function agent(store: OpenDatabase, runId: string, u: AttemptUsage | null): Promise<void> {
  await recordAttempt(store.db, { runId, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 9, ...(u ? { usage: u } : {}) }, at(HOUR));
}

describe.each(dialectsUnderTest())('campaign queries on %s', (kind) => {
  it('campaignRunFacts: how far each run of a campaign got and its PR life; campaign and since narrow it', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_a', 'acme', 0);
      await run(store, 'run_b', 'acme', HOUR);
      await run(store, 'run_c', 'acme', 2 * HOUR);
      await run(store, 'run_other', 'other', 0);
      await run(store, 'run_legacy', null, 0);
      await prepared(store, 'run_a');
      await prepared(store, 'run_b', false);
      await pushed(store, 'run_a');
      await recordPrOpened(store.db, { runId: 'run_a', owner: 'Acme', repo: 'widgets', campaign: 'acme', prNumber: 7, prUrl: null, openedAt: iso(2 * HOUR) });
      await notePrChecked(store.db, { runId: 'run_a', prNumber: 7 }, { firstResponseAt: iso(3 * HOUR), lastMaintainerActivityAt: iso(3 * HOUR), checkedAt: iso(3 * HOUR) });
      await markPrClosed(store.db, { runId: 'run_a', prNumber: 7 }, iso(5 * HOUR));
      await claimStaleClose(store.db, { runId: 'run_a', prNumber: 7 }, iso(5 * HOUR));
      await recordRejection(store.db, { runId: 'run_a', prNumber: 7 }, { category: 'no_response', evidence: 'closed by agentpr' });

      const facts = await campaignRunFacts(store.db, { campaign: 'acme' });
      expect(facts.map((f) => [f.run_id, f.prepared, f.pushed, f.pr_number])).toEqual([
        ['run_a', true, true, 7],
        ['run_b', false, false, null],
        ['run_c', false, false, null],
      ]);
      expect(facts[0]).toMatchObject({
        current_state: 'PUSHED',
        opened_at: iso(2 * HOUR),
        first_response_at: iso(3 * HOUR),
        closed_at: iso(5 * HOUR),
        stale_closed_at: iso(5 * HOUR),
        merged_at: null,
        rejection_category: 'no_response',
      });
      expect((await campaignRunFacts(store.db, { campaign: 'acme', since: iso(HOUR) })).map((f) => f.run_id)).toEqual(['run_b', 'run_c']);
      expect((await campaignRunFacts(store.db, {})).map((f) => f.run_id).sort()).toEqual(['run_a', 'run_b', 'run_c', 'run_legacy', 'run_other']);
      expect((await campaignRunFacts(store.db, { campaign: 'default', includeUnnamed: true })).map((f) => f.run_id)).toEqual(['run_legacy']);
      expect(await campaignNames(store.db)).toEqual([
        { campaign: 'acme', runs: 3 },
        { campaign: null, runs: 1 },
        { campaign: 'other', runs: 1 },
      ]);
    });
  });

  it('campaignUsage and runUsage sum the agent attempts per run, engine and model; attempts without usage count but add no tokens', async () => {
    await withStore(kind, async (store) => {
      await run(store, 'run_a', 'acme', 0);
      await run(store, 'run_b', 'acme', 0);
      await run(store, 'run_x', 'other', 0);
      await agent(store, 'run_a', usage('gpt-5-codex', 1000, 400, 200, 50));
      await agent(store, 'run_a', usage('gpt-5-codex', 3000, 1000, 300, 0));
      await agent(store, 'run_a', usage(null, 10, 0, 5, 0));
      await agent(store, 'run_a', null);
      await agent(store, 'run_b', usage('gpt-5-codex', 7, 0, 3, 1));
      await agent(store, 'run_x', usage('gpt-5-codex', 99, 0, 9, 0));
      await prepared(store, 'run_a');

      const a = await runUsage(store.db, 'run_a');
      const byModel = (m: string | null, e: string | null) => a.find((g) => g.model === m && g.engine === e);
      expect(byModel('gpt-5-codex', 'codex')).toEqual({ engine: 'codex', model: 'gpt-5-codex', attempts: 2, reported: 2, input_tokens: 4000, cached_input_tokens: 1400, output_tokens: 500, reasoning_tokens: 50 });
      expect(byModel(null, 'codex')).toMatchObject({ attempts: 1, reported: 1, input_tokens: 10, output_tokens: 5 });
      const none = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
      expect(byModel(null, null)).toEqual({ engine: null, model: null, attempts: 1, reported: 0, ...none });
      expect(a).toHaveLength(3);

      const acme = await campaignUsage(store.db, { campaign: 'acme' });
      expect(acme.filter((g) => g.run_id === 'run_b')).toEqual([
        { run_id: 'run_b', engine: 'codex', model: 'gpt-5-codex', attempts: 1, reported: 1, input_tokens: 7, cached_input_tokens: 0, output_tokens: 3, reasoning_tokens: 1 },
      ]);
      expect(new Set(acme.map((g) => g.run_id))).toEqual(new Set(['run_a', 'run_b']));
      expect(await runUsage(store.db, 'run_none')).toEqual([]);
    });
  });

  it('readRunFactsSqlite reads the same usage and latest gate verdicts without kysely (SQLite only)', async () => {
    if (kind !== 'sqlite') return;
    await withStore(kind, async (store, tdb) => {
      await run(store, 'run_a', 'acme', 0);
      await agent(store, 'run_a', usage('gpt-5-codex', 1000, 400, 200, 50));
      const check = (gate: string, outcome: string, ms: number) =>
        insertGateCheck(store.db, { runId: 'run_a', gate, phase: 'prepare', outcome, reasonCode: null, message: `${gate} ${outcome}`, detail: {}, override: false, actor: 'operator' }, at(ms));
      await check('ai_policy', 'pass', 0);
      await check('ai_policy', 'skip_run', HOUR);
      await check('etiquette', 'held', 0);
      const path = tdb.location.kind === 'sqlite' ? tdb.location.path : '';
      const facts = readRunFactsSqlite(path, 'run_a')!;
      expect(facts.usage).toEqual(await runUsage(store.db, 'run_a'));
      expect(facts.gates.map((g) => [g.gate, g.outcome])).toEqual([
        ['etiquette', 'held'],
        ['ai_policy', 'skip_run'],
      ]);
      expect(facts.lease).toBeNull();
      await acquireLease(store.db, 'run_a', 'worker-2:4242:manager', 60_000, at(0));
      expect(readRunFactsSqlite(path, 'run_a')!.lease).toEqual({ holder: 'worker-2:4242:manager', expires_at: new Date(at(0)().getTime() + 60_000).toISOString() });
      // The fast path's reader reads the same on its own connection.
      const reader = openSqliteReader(path)!;
      try {
        expect(reader.runFacts('run_a')).toEqual(readRunFactsSqlite(path, 'run_a'));
      } finally {
        reader.close();
      }
      expect(readRunFactsSqlite(`${path}.missing`, 'run_a')).toBeUndefined();
    });
  });
});

describe('campaignRunFacts counts merges', () => {
  it('a merged PR has merged_at and no close', async () => {
    await withStore('sqlite', async (store) => {
      await run(store, 'run_m', 'acme', 0);
      await recordPrOpened(store.db, { runId: 'run_m', owner: 'Acme', repo: 'widgets', campaign: 'acme', prNumber: 3, prUrl: null, openedAt: iso(0) });
      await markPrMerged(store.db, { runId: 'run_m', prNumber: 3 }, iso(HOUR));
      expect((await campaignRunFacts(store.db, { campaign: 'acme' }))[0]).toMatchObject({ merged_at: iso(HOUR), closed_at: null });
    });
  });
});
