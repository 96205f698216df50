import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, createRun, listAttempts, openStore, type NewRun } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { elementById, mainOf, textOf } from './run-html.js';
import { openDashboardForTest, SEED_RUN_IDS as ID, seedClock, seedDashboardStore, type TestDashboard } from './seed.js';

// The run page over the shared seed, plus a paused run and one a duplicates gate blocked, read through a read-only
// store, over HTTP.

const PAUSED = 'run_h3_paused';
const BLOCKED = 'run_h3_blocked';
let dash: TestDashboard;

function run(runId: string): NewRun {
  return { runId, owner: 'acme', repo: 'extras', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId}`, campaign: null };
}

/** Runs the seed has no state for: PAUSED, and NEEDS_HUMAN_REVIEW because the duplicates gate blocked it in DISCOVERY. */
async function seedMore(dbPath: string): Promise<void> {
  const store = await openStore({ kind: 'sqlite', path: dbPath });
  try {
    await createRun(store.db, run(PAUSED), seedClock(5));
    await applyEvent(store.db, PAUSED, { event: { type: 'command.pause', actor: 'operator' } }, seedClock(4));
    await createRun(store.db, run(BLOCKED), seedClock(5));
    await applyEvent(store.db, BLOCKED, { event: { type: 'command.start.discovery', actor: 'manager' } }, seedClock(4.5));
    const error = 'gate:duplicates:duplicate_found:acme/extras#12 makes the same change';
    await applyEvent(store.db, BLOCKED, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error, actor: 'manager' } }, seedClock(4));
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-run-'));
  await seedMore(seed.dbPath);
  await seed.close();
  dash = await openDashboardForTest(seed.dbPath);
});

afterAll(async () => {
  await dash?.close();
  cleanupTempDirs();
});

async function page(runId: string): Promise<string> {
  const res = await dash.app.request(`/runs/${encodeURIComponent(runId)}`);
  expect(res.status, runId).toBe(200);
  return mainOf(await res.text());
}

/** The next-gate section's text, command and bot command. */
async function gate(runId: string): Promise<{ text: string; command: string | null; bot: string | null }> {
  const section = /<section class="next-gate[^"]*"[\s\S]*?<\/section>/.exec(await page(runId))![0];
  const code = (label: string) => {
    const m = new RegExp(`${label}: <code class="command">([^<]*)</code>`).exec(section);
    return m ? textOf(m[1]!) : null;
  };
  return { text: textOf(section), command: code('Command'), bot: code('Telegram bot') };
}

/** The id of the run's newest attempt of `step`. */
async function attemptId(runId: string, step: string): Promise<number> {
  return (await listAttempts(dash.deps.db, runId, { limit: 1, step }))[0]!.id;
}

describe('run page', () => {
  it('answers an unknown run with 404 and a malformed id with 400, in one line', async () => {
    const missing = await dash.app.request('/runs/run_does_not_exist');
    expect(missing.status).toBe(404);
    expect(textOf(/<p role="alert">([\s\S]*?)<\/p>/.exec(await missing.text())![1]!)).toBe('run run_does_not_exist not found');
    const bad = await dash.app.request(`/runs/${encodeURIComponent('bad id<script>')}`);
    expect(bad.status).toBe(400);
    expect(textOf(/<p role="alert">([\s\S]*?)<\/p>/.exec(await bad.text())![1]!)).toMatch(/^run id: letters, digits/);
  });

  it('heads the page with the repository, campaign, state, verdict, PR with checks and review, and the lease holder', async () => {
    const html = await page(ID.iterating);
    const header = textOf(/<header class="run-header">[\s\S]*?<\/header>/.exec(html)![0]);
    expect(header).toContain('acme/gadgets');
    expect(header).toContain('deps-bump');
    expect(header).toContain('ITERATING');
    expect(header).toContain('RETRYABLE test_command_failed');
    expect(html).toContain('<a href="https://github.com/acme/gadgets/pull/31" rel="noopener noreferrer">PR #31</a>');
    expect(header).toContain('checks: failure failing: lint, test (ubuntu-latest, node 20)');
    expect(header).toContain('review: none yet');
    expect(header).toMatch(/held by manager-loop:dash-host:4242 until in 10 d/);
    expect(header).toMatch(new RegExp(`Workspace acme/gadgets/${ID.iterating} on host dash-host since .+ ago`));
    expect(html).toContain(`<a href="#attempt-${await attemptId(ID.iterating, 'agent')}">evidence</a>`);
    expect(html).toContain('<a href="/?repo=acme%2Fgadgets">Runs of this repository</a>');

    const merged = textOf(/<header class="run-header">[\s\S]*?<\/header>/.exec(await page(ID.merged))![0]);
    expect(merged).toContain('checks: success');
    expect(merged).toContain('review: approved');
    expect(merged).toContain('Lease free');
    expect(merged).toMatch(/Workspace \S+ host not recorded/);
  });

  it('merges events and attempts into one timeline in time order, with actors, refusals and each attempt\'s verdict', async () => {
    const html = await page(ID.ciWait);
    const timeline = /<ol class="timeline">([\s\S]*?)<\/ol><\/section>/.exec(html)![1]!;
    const items = [...timeline.matchAll(/<li class="tl-(event|attempt)[^"]*"[^>]*>([\s\S]*?)(?=<li class="tl-|$)/g)];
    const times = items.map((m) => /<time datetime="([^"]+)"/.exec(m[2]!)![1]!);
    expect(times).toEqual([...times].sort());
    const texts = items.map((m) => textOf(m[2]!));
    expect(texts[0]).toMatch(/command\.run\.create by operator/);
    const kinds = items.map((m) => m[1]);
    expect(kinds.filter((k) => k === 'attempt')).toHaveLength(4);
    const late = texts.find((t) => t.includes('not applied'))!;
    expect(late).toMatch(/github\.check\.completed by webhook not applied stale_head_sha/);
    expect(late).toContain('failing_checks: ["e2e (chromium)"]');
    const agents = texts.filter((t) => / agent attempt \d/.test(t));
    expect(agents[0]).toMatch(/agent attempt 1 \(codex · gpt-5-codex\) in IMPLEMENTING, 4 min PASS runtime_success · 1 evidence lines/);
    expect(agents[1]).toMatch(/agent attempt 2 \(codex · gpt-5-codex\) in ITERATING, 4 min PASS runtime_success/);
    expect(texts.find((t) => t.includes('prepare attempt 1'))).toMatch(/prepare attempt 1, 41 s succeeded/);
  });

  it('names the engine and model of each agent attempt in the timeline, and tokens and cost per engine (issue 19)', async () => {
    const html = await page(ID.iterating);
    const timeline = /<ol class="timeline">([\s\S]*?)<\/ol><\/section>/.exec(html)![1]!;
    const agents = [...timeline.matchAll(/<li class="tl-attempt"[^>]*>([\s\S]*?)(?=<li class="tl-|$)/g)].map((m) => textOf(m[1]!)).filter((t) => / agent attempt \d/.test(t));
    expect(agents.map((t) => /agent attempt (\d) \(([^)]*)\)/.exec(t)!.slice(1))).toEqual([
      ['1', 'codex · gpt-5-codex'],
      ['2', 'claude · claude-sonnet-4-5'],
    ]);
    expect(html).toContain('<span class="engine"> (<bdi>claude · claude-sonnet-4-5</bdi>)</span>');
    const steps = [...timeline.matchAll(/<li class="tl-attempt"[^>]*>([\s\S]*?)(?=<li class="tl-|$)/g)].map((m) => textOf(m[1]!)).filter((t) => / prepare attempt \d/.test(t));
    expect(steps[0]).not.toContain('(');
    const usage = textOf(/<ul class="engines"[\s\S]*?<\/ul>/.exec(html)![0]);
    expect(usage).toMatch(/codex · gpt-5-codex: 1 agent attempt, 126000 tokens, cost /);
    expect(usage).toMatch(/claude · claude-sonnet-4-5: 1 agent attempt, 312000 tokens, cost /);
  });

  it('shows each agent attempt\'s evidence lines in a <details> a link can target, the newest open', async () => {
    const html = await page(ID.iterating);
    const newest = elementById(html, `attempt-${await attemptId(ID.iterating, 'agent')}`)!;
    expect(newest).toMatch(/^<details id="attempt-\d+" open="">/);
    expect(textOf(newest)).toContain('npm test -- --run parser exit 1 npm test -- --run parser failed: 2 of 88 tests failed (parser.spec.ts) (event stream line 69)');
    expect(textOf(newest)).toContain('npm run lint exit 0 npm run lint passed');
    const first = [...html.matchAll(/<details id="(attempt-\d+)"( open="")?>/g)];
    expect(first).toHaveLength(2);
    expect(first[0]![2]).toBeUndefined();
    expect(textOf(elementById(html, first[0]![1]!)!)).toContain('npm test passed (212 tests)');
  });

  it('shows the latest attempt with the agent\'s message and diff stats, the digest, the insight, usage and gate verdicts', async () => {
    const text = textOf(await page(ID.iterating));
    expect(text).toContain('Two parser tests still fail; the fixture needs the new token kind.');
    expect(text).toContain('3 files changed, +61 −12');
    expect(text).toContain('src/parser.ts');
    expect(text).toMatch(/RETRYABLE test_command_failed ITERATING → ITERATING; the manager recommends: retry/);
    expect(text).toContain('"reason_code": "test_command_failed"');
    expect(text).toContain('# Manager insight: run_dash_iterating attempt 2');
    expect(text).toMatch(/\d+ tokens over 2 agent attempts \(420000 in, 230000 cached, 18000 out, 7000 reasoning\)/);
    expect(text).toContain('Time per step');

    const skipped = textOf(await page(ID.skipped));
    expect(skipped).toMatch(/ai_policy: skip_run ai_policy_forbidden at run_start/);
    expect(skipped).toContain('stance: forbidden');
    expect(skipped).toContain('We do not accept AI-generated pull requests. (CONTRIBUTING.md)');
  });

  it('names a pending approval\'s CLI and bot commands, says approving needs the token, and never renders a token', async () => {
    const g = await gate(ID.awaitingApproval);
    expect(g.text).toMatch(/^Next gate: Waits for a person PR request ready \(expires 2026-12-01T15:36:00\.000Z\)/);
    expect(g.command).toMatch(/^agentpr approve-open-pr --run-id run_dash_pushed --request-file \S+_pr_open_request_0\.4\.json --confirm-token <token> --confirm$/);
    expect(g.bot).toBe('/approve_pr run_dash_pushed');
    expect(g.text).toContain('approving needs the confirm token that request-open-pr prints (it is never logged or shown here)');
    expect(await page(ID.awaitingApproval)).not.toContain('e'.repeat(64));
    const header = textOf(/<header class="run-header">[\s\S]*?<\/header>/.exec(await page(ID.awaitingApproval))![0]);
    expect(header).toContain('requested, not opened yet: docs: clarify the README quick start');
  });

  it.each([
    [ID.needsHuman, /^Next gate: Waits for a person escalated \(agent:agent_reported_needs_review:HUMAN_REVIEW\)/, `agentpr inspect-run --run-id ${ID.needsHuman}`, `/retry ${ID.needsHuman} IMPLEMENTING`],
    [PAUSED, /^Next gate: Waits for a person paused: resume it when ready/, `agentpr resume --run-id ${PAUSED}`, `/resume ${PAUSED}`],
    [BLOCKED, /^Next gate: Waits for a person blocked by the duplicates gate \(acme\/extras#12 makes the same change\)/, `agentpr run-prepare --run-id ${BLOCKED} --allow-duplicate`, null],
    [ID.ciWait, /^Next gate: Waits for GitHub waits for CI on PR #42's latest push/, `agentpr sync-github --run-id ${ID.ciWait}`, null],
    [ID.queued, /^Next gate: The manager moves it next the manager's next step: start discovery/, `agentpr start-discovery --run-id ${ID.queued}`, null],
    [ID.iterating, /^Next gate: The manager moves it next the manager's next step: run agent step \(a fix round: CI failure on PR #31, failing lint, test \(ubuntu-latest, node 20\)\)/, `agentpr run-agent-step --run-id ${ID.iterating} --prompt-file <path> --success-state LOCAL_VALIDATING`, null],
    [ID.merged, /^Next gate: Finished the run is finished \(DONE\); nothing waits/, null, null],
    [ID.skipped, /^Next gate: Finished the run is finished \(SKIPPED\)/, null, null],
  ])('the next gate of %s names what it waits for and the command that passes it', async (runId, summary, command, bot) => {
    const g = await gate(runId);
    expect(g.text).toMatch(summary);
    expect(g.command).toBe(command);
    expect(g.bot).toBe(bot);
  });
});
