import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@agentpr/state-machine';
import {
  applyEvent,
  createRun,
  insertGateCheck,
  markPrClosed,
  markPrMerged,
  notePrChecked,
  openStore,
  recordAttempt,
  recordPrOpened,
  recordRejection,
  type Db,
} from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir, type TestDatabase } from '@agentpr/testing';

// Issue 17, the campaign funnel and cost: `agentpr campaign-report`, `show-run` and `inspect-run` through the built
// binary, over runs written by the store's own functions, on every dialect under test.

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const T0 = Date.parse('2026-11-10T08:00:00.000Z');
const HOUR = 3_600_000;
const at = (h: number) => () => new Date(T0 + h * HOUR);
const iso = (h: number) => new Date(T0 + h * HOUR).toISOString();
afterAll(() => cleanupTempDirs());

const PRICE = { input_per_mtok: 2, cached_input_per_mtok: 0.5, output_per_mtok: 8 };
const POLICY = { pricing: { currency: 'USD', models: { 'gpt-5-codex': PRICE } } };
const TO_PUSHED: RunEvent[] = [
  { type: 'command.start.discovery' },
  { type: 'worker.discovery.completed', contract_path: '/c.md' },
  { type: 'command.start.implementation' },
  { type: 'command.local.validation.passed' },
  { type: 'worker.push.completed', branch: 'agentpr/x', head_sha: 'b'.repeat(40) },
];

/** Each run: stage reached, PR outcome and the one agent attempt's tokens (input, cached, output). */
const RUNS = [
  { id: 'run_m1', repo: 'one', pr: 'merged', mergeH: 10, tokens: [1_000_000, 500_000, 100_000] },
  { id: 'run_m2', repo: 'two', pr: 'merged', mergeH: 30, tokens: [2_000_000, 0, 50_000] },
  { id: 'run_c1', repo: 'three', pr: 'closed', rejection: 'unwanted_change', tokens: [400_000, 100_000, 20_000] },
  { id: 'run_o1', repo: 'four', pr: 'open', tokens: [300_000, 300_000, 0] },
  { id: 'run_p1', repo: 'five', pr: null, tokens: [100_000, 0, 10_000] },
  { id: 'run_q1', repo: 'six', pr: null, tokens: null },
] as const;

function priceOf(t: readonly [number, number, number]): number {
  return ((t[0] - t[1]) * PRICE.input_per_mtok + t[1] * PRICE.cached_input_per_mtok + t[2] * PRICE.output_per_mtok) / 1e6;
}

async function seed(db: Db): Promise<void> {
  for (const [i, r] of RUNS.entries()) {
    await createRun(db, { runId: r.id, owner: 'acme', repo: r.repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${r.id}`, campaign: 'acme-sdk' }, at(i));
    if (r.tokens === null) continue;
    await recordAttempt(db, { runId: r.id, step: 'prepare', succeeded: true, stdout: '', stderr: '', durationMs: 1 }, at(i));
    const [input, cached, output] = r.tokens;
    const usage = { engine: 'codex', model: 'gpt-5-codex', inputTokens: input, cachedInputTokens: cached, outputTokens: output, reasoningTokens: Math.trunc(output / 2) };
    await recordAttempt(db, { runId: r.id, step: 'agent', succeeded: true, processExit: 0, stdout: '', stderr: '', durationMs: 1, usage }, at(i));
    if (r.pr === null) continue;
    for (const event of [...TO_PUSHED, { type: 'command.pr.linked', pr_number: 100 + i } as RunEvent]) await applyEvent(db, r.id, { event: { ...event, actor: 'operator' } as RunEvent }, at(i + 1));
    const key = { runId: r.id, prNumber: 100 + i };
    await recordPrOpened(db, { ...key, owner: 'acme', repo: r.repo, campaign: 'acme-sdk', prUrl: null, openedAt: iso(i + 1) });
    await notePrChecked(db, key, { firstResponseAt: iso(i + 3), lastMaintainerActivityAt: iso(i + 3), checkedAt: iso(i + 3) });
    if (r.pr === 'merged') await markPrMerged(db, key, iso(i + 1 + r.mergeH));
    if (r.pr === 'closed') {
      await markPrClosed(db, key, iso(i + 5));
      await recordRejection(db, key, { category: r.rejection, evidence: 'not what we want' });
    }
  }
  await insertGateCheck(db, {
    runId: 'run_m1',
    gate: 'ai_policy',
    phase: 'prepare',
    outcome: 'pass',
    reasonCode: 'disclosure_required',
    message: 'the repository asks AI contributions to say so; the PR body will',
    detail: { stance: 'disclosure_required', quotes: [{ path: 'CONTRIBUTING.md', quote: 'Disclose any use of AI tools.' }] },
    override: false,
    actor: 'manager',
  }, at(0));
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function setup(kind: 'sqlite' | 'postgres') {
  const db: TestDatabase = await freshDatabase(kind);
  const home = tempDir('agentpr-campaign-report-');
  const cli = async (args: string[]) => {
    const r = await execa(process.execPath, [BIN, ...db.cliArgs, '--data-dir', home, ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
    return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), json: parse(String(r.stdout)) };
  };
  expect((await cli(['init-db'])).code).toBe(0);
  const store = await openStore(db.location);
  try {
    await seed(store.db);
  } finally {
    await store.close();
  }
  writeFileSync(join(home, 'manager_policy.json'), JSON.stringify(POLICY));
  return { db, home, cli };
}

describe.each(dialectsUnderTest())('agentpr campaign-report on %s (issue 17)', (kind) => {
  it('prints the funnel, merge rate, medians and cost per run, repository and merged PR as JSON, and writes the chart', async () => {
    const { db, home, cli } = await setup(kind);
    try {
      const chart = join(home, 'charts', 'acme.svg');
      mkdirSync(join(home, 'charts'));
      const r = await cli(['campaign-report', '--campaign', 'acme-sdk', '--chart', chart]);
      expect(r.code, r.stderr).toBe(0);
      const withTokens = RUNS.filter((x) => x.tokens !== null);
      const cost = withTokens.reduce((s, x) => s + priceOf(x.tokens!), 0);
      const merged = RUNS.filter((x) => x.pr === 'merged');
      const withPr = RUNS.filter((x) => x.pr).length;
      expect(r.json.funnel.map((s: any) => s.runs)).toEqual([RUNS.length, withTokens.length, withPr, withPr, merged.length]);
      expect(r.json.prs).toEqual({ opened: 4, merged: 2, closed_unmerged: 1, open: 1, stale: 0 });
      expect(r.json.merge_rate).toBeCloseTo(2 / 3, 4);
      expect(r.json.time_to_merge.median_ms).toBe(((10 + 30) / 2) * HOUR);
      expect(r.json.time_to_first_response).toEqual({ median_ms: 2 * HOUR, count: 4 });
      expect(r.json.cost.total.cost).toBeCloseTo(cost, 6);
      expect(r.json.cost.per_merged_pr.cost).toBeCloseTo(cost / merged.length, 5);
      expect(r.json.cost.per_run.cost).toBeCloseTo(cost / RUNS.length, 5);
      expect(r.json.cost.by_repository[0]).toMatchObject({ repository: 'acme/two', runs: 1, merged: 1 });
      expect(r.json.rejections).toMatchObject({ unwanted_change: 1, duplicate: 0 });
      expect(r.json.chart).toBe(chart);
      const svg = readFileSync(chart, 'utf8');
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('<title id="chart-title">agentpr campaign funnel: acme-sdk</title>');
      expect(svg).toContain('>PR opened</text>');

      const since = await cli(['campaign-report', '--campaign', 'acme-sdk', '--since', iso(4)]);
      expect(since.json.runs).toBe(2);
    } finally {
      await db.drop();
    }
  });

  it('an unknown campaign, a bad --since, an unwritable --chart and a malformed price table: one line each, no chart written', async () => {
    const { db, home, cli } = await setup(kind);
    try {
      const chart = join(home, 'never.svg');
      for (const [args, code, message] of [
        [['--campaign', 'nope'], 2, /^agentpr: unknown campaign "nope": known campaigns: .*acme-sdk/],
        [['--since', 'last week'], 2, /^agentpr: --since must be an ISO date/],
        [['--chart', join(home, 'missing', 'x.svg')], 1, /^agentpr: cannot write the chart to .*missing\/x\.svg: the directory .* does not exist$/],
        [['--chart', join(home, 'x.png')], 2, /^agentpr: --chart must name an \.svg file/],
      ] as const) {
        const r = await cli(['campaign-report', ...args, ...((args as readonly string[]).includes('--chart') ? [] : ['--chart', chart])]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
        expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(r.json).toMatchObject({ ok: false });
      }
      writeFileSync(join(home, 'manager_policy.json'), JSON.stringify({ pricing: { models: { 'gpt-5-codex': { input_per_mtok: -2, output_per_mtok: 8 } } } }));
      const bad = await cli(['campaign-report', '--campaign', 'acme-sdk', '--chart', chart]);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(/pricing\.models\.gpt-5-codex\.input_per_mtok: must be at least 0/);
      expect(existsSync(chart)).toBe(false);
      expect(readdirSync(home).filter((f) => f.endsWith('.tmp') || f.endsWith('.svg'))).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('show-run and inspect-run show the run\'s tokens and cost and its gates\' latest verdicts', async () => {
    const { db, cli } = await setup(kind);
    try {
      const shown = await cli(['show-run', '--run-id', 'run_m1']);
      expect(shown.code, shown.stderr).toBe(0);
      const cost = priceOf(RUNS[0].tokens);
      expect(shown.json.usage).toMatchObject({ agent_attempts: 1, input_tokens: 1_000_000, cached_input_tokens: 500_000, output_tokens: 100_000, reasoning_tokens: 50_000, currency: 'USD' });
      expect(shown.json.usage.cost).toBeCloseTo(cost, 6);
      expect(shown.json.gates).toEqual([expect.objectContaining({ gate: 'ai_policy', outcome: 'pass', stance: 'disclosure_required', quotes: [{ path: 'CONTRIBUTING.md', quote: 'Disclose any use of AI tools.' }] })]);
      expect(shown.json.run).toMatchObject({ campaign: 'acme-sdk', linked_issue: null });
      const quiet = await cli(['show-run', '--run-id', 'run_q1']);
      expect(quiet.json).toMatchObject({ usage: { agent_attempts: 0, total_tokens: 0, cost: 0 }, gates: [] });

      const inspected = await cli(['inspect-run', '--run-id', 'run_m1']);
      expect(inspected.code, inspected.stderr).toBe(0);
      expect(inspected.json.usage.cost).toBeCloseTo(cost, 6);
      expect(inspected.json.gates[0]).toMatchObject({ gate: 'ai_policy', stance: 'disclosure_required' });
      expect(inspected.json.timing.attempts.find((a: any) => a.step === 'agent')).toMatchObject({ engine: 'codex', model: 'gpt-5-codex', input_tokens: 1_000_000 });
    } finally {
      await db.drop();
    }
  });
});

describe.runIf(HAS_SCRIPT)('agentpr campaign-report, show-run and inspect-run on a terminal', () => {
  it('print tables and lines a person reads', async () => {
    const { db, home } = await setup('sqlite');
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const run = async (args: string[]) => {
      const command = [process.execPath, BIN, ...db.cliArgs, '--data-dir', home, ...args].map(quote).join(' ');
      const r = await execa('script', ['-qec', command, '/dev/null'], { reject: false, stdin: 'ignore', timeout: 30_000 });
      return { code: r.exitCode, text: String(r.stdout).replace(/\r/g, '') };
    };
    const report = await run(['campaign-report', '--campaign', 'acme-sdk']);
    expect(report.code, report.text).toBe(0);
    expect(report.text).toMatch(/^Campaign acme-sdk: 6 runs$/m);
    expect(report.text).toMatch(/^FUNNEL +RUNS +OF CREATED$/m);
    expect(report.text).toMatch(/^PR opened +4 +67%$/m);
    expect(report.text).toMatch(/^merge rate: 66\.7% \(merged \/ \(merged \+ closed unmerged\); open PRs not counted\)$/m);
    expect(report.text).toMatch(/^REJECTED AS +PRS\n-+ +-+\nunwanted change +1$/m);
    const shown = await run(['show-run', '--run-id', 'run_m1']);
    expect(shown.text).toMatch(/^tokens: 1,100,000 over 1 agent attempts — 1,000,000 in \(500,000 cached\), 100,000 out \(50,000 reasoning\); cost \$2\.05$/m);
    expect(shown.text).toMatch(/^ {2}ai_policy: pass \(disclosure_required\) at prepare, /m);
    expect(shown.text).toContain('"Disclose any use of AI tools." (CONTRIBUTING.md)');
    const inspected = await run(['inspect-run', '--run-id', 'run_m1']);
    expect(inspected.text).toMatch(/^tokens: 1,100,000 over 1 agent attempts/m);
    expect(inspected.text).toContain('gates (latest verdict each):');
  });
});
