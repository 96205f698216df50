import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { REDACTED } from '@agentpr/orchestrator';
import type { RunEvent } from '@agentpr/state-machine';
import { acquireLease, applyEvent, createRun, insertGateCheck, openStore, type Db, type NewRun } from '@agentpr/store';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { mainOf, startTags, textOf, unescapeHtml } from './run-html.js';
import { HOSTILE, HOSTILE_CAMPAIGN, HOSTILE_MODEL, openDashboardForTest, SEED_RUN_IDS as ID, SEED_SECRET, seedClock, seedDashboardStore, type TestDashboard } from './seed.js';
import { seedAgentAttempt } from './seed-reports.js';

// Hostile text everywhere a run carries it: the shared seed's two hostile runs (campaign, PR-request title, last error,
// agent message, evidence, stderr, all with the secret the dashboard's env knows), plus runs whose repository names,
// run id, lease holder, gate message and quotes are hostile, and megabyte-long strings. The pages must show all of it
// as text: no tag or attribute of it executes, no link is built from it, bidi controls are neutralised, the secret
// is redacted and long text is cut.

const ALL = `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} ${HOSTILE.bidi}`;
const NAMES_RUN = 'run_h3_hostile_names';
/** A run id the store accepts though agentpr never makes one like it (an import from an older build, a hand edit). */
const ID_RUN = `run_h3_"><img src=x onerror=alert(1)>`;
const HUGE_RUN = 'run_h3_huge';
const MEGABYTE = 1024 * 1024;
let dash: TestDashboard;

const TO_PUSHED: RunEvent[] = [
  { type: 'command.start.discovery', actor: 'manager' },
  { type: 'worker.discovery.completed', contract_path: '/contracts/c.md', actor: 'worker' },
  { type: 'command.start.implementation', actor: 'manager' },
  { type: 'command.local.validation.passed', actor: 'worker' },
  { type: 'worker.push.completed', branch: 'agentpr/fix', head_sha: 'a'.repeat(40), actor: 'worker' },
];

function newRun(runId: string, owner: string, repo: string, campaign: string | null): NewRun {
  return { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/w/${runId.length}`, campaign };
}

async function seedHostileNames(db: Db, reportsDir: string): Promise<void> {
  // Names the CLI would refuse, written straight through the store: the PR number must not become a GitHub link.
  await createRun(db, newRun(NAMES_RUN, `evil"><script>alert(1)</script>`, `${HOSTILE.js}${HOSTILE.bidi}`, HOSTILE_CAMPAIGN), seedClock(6));
  for (const event of TO_PUSHED) await applyEvent(db, NAMES_RUN, { event }, seedClock(5));
  await applyEvent(db, NAMES_RUN, { event: { type: 'command.pr.linked', pr_number: 5, actor: 'manager' } }, seedClock(4.5));
  const red: RunEvent = { type: 'github.check.completed', conclusion: 'failure', pr_number: 5, head_sha: 'a'.repeat(40), failing_checks: [ALL], actor: 'webhook' };
  await applyEvent(db, NAMES_RUN, { event: red }, seedClock(4));
  await applyEvent(db, NAMES_RUN, { event: { type: 'github.review.submitted', state: ALL, pr_number: 5, actor: 'webhook' } }, seedClock(3.9));
  await acquireLease(db, NAMES_RUN, `holder ${ALL}`, 24 * 3_600_000, seedClock(1));
  const detail = { stance: ALL, quotes: [{ path: `docs/${HOSTILE.img}`, quote: `${ALL} ${SEED_SECRET}` }], frees_at: ALL };
  await insertGateCheck(db, { runId: NAMES_RUN, gate: 'ai_policy', phase: 'pr_request', outcome: 'blocked', reasonCode: ALL, message: `${ALL} ${SEED_SECRET}`, detail, override: false, actor: 'manager' }, seedClock(3));
  await seedAgentAttempt(db, reportsDir, {
    runId: NAMES_RUN, owner: 'evil', repo: 'evil', stage: 'ITERATING', stateAfter: 'ITERATING', grade: 'RETRYABLE', reasonCode: 'test_command_failed', nextAction: 'retry', durationMs: 1000,
    evidence: [{ line: 1, command: `${ALL} ${SEED_SECRET}`, exit_code: 1, note: ALL }],
    lastMessage: ALL, testCommands: [ALL], failedTestCommands: [ALL], diff: { files: [`${HOSTILE.img}.ts`, `${HOSTILE.bidi}.ts`], added: 1, deleted: 1 },
    tokens: { input: 1, cached: 0, output: 1, reasoning: 0 }, stderr: `${ALL}\ntoken ${SEED_SECRET}\n`,
  }, seedClock(2));
  await createRun(db, newRun(ID_RUN, 'acme', 'hostile-id', null), seedClock(6));
}

/** Megabyte strings, with the secret straddling where a naive cut would fall. */
async function seedHuge(db: Db): Promise<void> {
  await createRun(db, newRun(HUGE_RUN, 'acme', 'huge', 'x'.repeat(200)), seedClock(6));
  const error = `${'<script>'.repeat(60)}${' '.repeat(10)}${SEED_SECRET}${'y'.repeat(MEGABYTE)}`;
  await applyEvent(db, HUGE_RUN, { event: { type: 'command.start.discovery', actor: 'manager' } }, seedClock(5));
  await applyEvent(db, HUGE_RUN, { event: { type: 'command.retry', target_state: 'NEEDS_HUMAN_REVIEW', error, actor: 'manager' } }, seedClock(4));
}

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-hostile-'));
  const store = await openStore({ kind: 'sqlite', path: seed.dbPath });
  try {
    await seedHostileNames(store.db, join(seed.dataDir, 'reports'));
    await seedHuge(store.db);
  } finally {
    await store.close();
  }
  await seed.close();
  dash = await openDashboardForTest(seed.dbPath);
});

afterAll(async () => {
  await dash?.close();
  cleanupTempDirs();
});

async function get(url: string): Promise<{ status: number; html: string }> {
  const res = await dash.app.request(url);
  return { status: res.status, html: await res.text() };
}

const SAFE_HREF = /^(\/(?!\/)|#|https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/pull\/\d+$)/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Every way the hostile strings could execute, navigate or mislead, checked on the whole document's tags: the only
 * script is the layout's bundled asset, no tag of the data's (img) exists, no attribute is an event handler, every
 * link stays on the dashboard or goes to a GitHub PR, no bidi control reaches the text or a shown attribute (a form
 * option's `value` keeps the exact name it filters by; it is never shown), and the secret appears nowhere.
 */
function expectInert(html: string, where: string): void {
  const tags = startTags(html);
  expect(tags.length, where).toBeGreaterThan(20);
  for (const tag of tags) {
    const at = `${where}: <${tag.name} ${tag.attributes.map((a) => a.name).join(' ')}>`;
    expect(['img', 'iframe', 'object', 'embed', 'base', 'svg', 'math'], at).not.toContain(tag.name);
    if (tag.name === 'script') expect(tag.attributes.find((a) => a.name === 'src')?.value, at).toMatch(/^\/assets\//);
    for (const { name, value } of tag.attributes) {
      expect(name, at).not.toMatch(/^on/);
      if (['href', 'src', 'action', 'formaction'].includes(name)) expect(value, at).toMatch(SAFE_HREF);
      if (name !== 'value') expect(value, `${at} ${name}`).not.toMatch(BIDI);
    }
  }
  expect(unescapeHtml(html.replace(/<[^>]*>/g, '')), where).not.toMatch(BIDI);
  expect(html, where).not.toContain(SEED_SECRET);
}

describe('hostile run data', () => {
  it('renders the runs list with hostile names, campaigns, ids and errors as inert text', async () => {
    const { status, html } = await get('/?limit=200');
    expect(status).toBe(200);
    expectInert(html, 'runs');
    expect(html).toContain(`href="/runs/${encodeURIComponent(ID_RUN).replace(/'/g, '%27')}"`);
    expect(textOf(mainOf(html))).toContain('evil"><script>alert(1)</script>/javascript:alert(1)');
    expect(html).toContain('<span>#5</span>');
  });

  it('renders the runs list filtered by the hostile campaign, whose name the form shows back escaped', async () => {
    const { status, html } = await get(`/?${new URLSearchParams({ campaign: HOSTILE_CAMPAIGN }).toString()}`);
    expect(status).toBe(200);
    expectInert(html, 'runs by campaign');
    expect(html).toContain('<option value="evil &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(textOf(/<caption>[\s\S]*?<\/caption>/.exec(html)![0])).toBe('3 runs match');
  });

  it.each([ID.hostile, ID.hostilePending, NAMES_RUN])('renders run %s as inert text and redacts the secret', async (runId) => {
    const { status, html } = await get(`/runs/${runId}`);
    expect(status).toBe(200);
    expectInert(html, runId);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows the agent message, evidence and stderr with the secret from the env redacted', async () => {
    const text = textOf(mainOf((await get(`/runs/${ID.hostile}`)).html));
    expect(text).toContain(`${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.js} \uFFFDgnp.exe\uFFFDx\uFFFD token=${REDACTED}`);
    expect(text).toContain(`token ${REDACTED} \uFFFDgnp.exe\uFFFDx\uFFFD`);
    const names = textOf(mainOf((await get(`/runs/${NAMES_RUN}`)).html));
    expect(names).toContain(`token ${REDACTED}`);
    expect(names).toContain(`\uFFFDx\uFFFD ${REDACTED} exit 1`);
  });

  it('names the hostile attempt\'s engine and model as inert text, controls replaced and the secret redacted (issue 19)', async () => {
    expect(HOSTILE_MODEL).toContain(SEED_SECRET);
    const shownModel = `claude-${HOSTILE.script}\uFFFD\uFFFD ${REDACTED}`;
    const { html } = await get(`/runs/${ID.hostile}`);
    expect(html).toContain('<span class="engine"> (<bdi>claude · claude-&lt;script&gt;alert(1)&lt;/script&gt;');
    const text = textOf(mainOf(html));
    expect(text).toContain(`agent attempt 1 (claude · ${shownModel}) in IMPLEMENTING`);
    expect(text).toContain(`claude · ${shownModel}: 1 agent attempt`);
    const campaign = await get(`/campaigns/${encodeURIComponent(HOSTILE_CAMPAIGN)}`);
    expect(campaign.status).toBe(200);
    // The campaign page draws its charts as inline SVG, so expectInert's tag rules do not apply; its name checks do.
    expect(campaign.html).not.toContain(SEED_SECRET);
    expect(campaign.html).not.toContain('<script>alert(1)');
    expect(campaign.html).not.toMatch(/[\u001b\u202e]/);
    const table = /<table[^>]*>\s*<caption>Cost by agent engine and model[\s\S]*?<\/table>/.exec(campaign.html)![0];
    expect(textOf(table)).toContain(`claude · ${shownModel}`);
  });

  it('builds no GitHub link from invalid repository names, and shows hostile checks, review, lease and gate as text', async () => {
    const { html } = await get(`/runs/${NAMES_RUN}`);
    expect(html).not.toContain('https://github.com/');
    const text = textOf(mainOf(html));
    expect(text).toContain('PR #5');
    expect(text).toContain(`failing: ${HOSTILE.script}`);
    expect(text).toContain(`held by holder ${HOSTILE.script}`);
    expect(text).toContain(`${HOSTILE.img}.ts`);
    expect(text).toMatch(/ai_policy: blocked/);
  });

  it('cuts megabyte strings (the secret redacted before the cut) and keeps the page small', async () => {
    const { status, html } = await get(`/runs/${HUGE_RUN}`);
    expect(status).toBe(200);
    expectInert(html, HUGE_RUN);
    expect(html.length).toBeLessThan(100_000);
    expect(html).toContain(REDACTED);
    expect(html).not.toMatch(/y{600}/);
    const list = await get('/?repo=acme/huge');
    expectInert(list.html, 'huge list');
    expect(list.html.length).toBeLessThan(60_000);
  });
});
