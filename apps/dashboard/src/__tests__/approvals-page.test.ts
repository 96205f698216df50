import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingPrRequests } from '@agentpr/store';
import { cleanupTempDirs } from '@agentpr/testing';
import type { DashboardDeps } from '../deps.js';
import { createDashboardApp } from '../server.js';
import { HOSTILE, HOSTILE_PR_TITLE, SEED_RUN_IDS, SEED_SECRET, type TestDashboard } from './seed.js';
import { openSeededAndEmpty } from './page-fixtures.js';
import { mainOf, tableRows, textOf, unsafeMarkup } from './page-html.js';

// /approvals over the shared seed: what waits for a person (buildInbox) grouped by why, each item with its run link,
// since when, and the exact CLI and bot commands; never a token or a button; no GitHub call; hostile text escaped.

let dash: TestDashboard;
let empty: TestDashboard;

beforeAll(async () => {
  ({ dash, empty } = await openSeededAndEmpty('approvals'));
});

afterAll(async () => {
  await dash?.close();
  await empty?.close();
  cleanupTempDirs();
});

async function get(d: { app: TestDashboard['app'] }, path: string): Promise<{ status: number; html: string }> {
  const res = await d.app.request(path);
  return { status: res.status, html: await res.text() };
}

/** The row of `runId` in the group table captioned `caption`. */
function rowOf(html: string, caption: string, runId: string): string[] {
  const row = tableRows(html, caption)?.find((r) => r[0]!.startsWith(runId));
  if (!row) throw new Error(`no row for ${runId} under ${caption}`);
  return row;
}

describe('GET /approvals', () => {
  it('groups what waits for a person by why, in the inbox order, with a count per group', async () => {
    const { status, html } = await get(dash, '/approvals');
    expect(status).toBe(200);
    const headings = [...mainOf(html).matchAll(/<h2 id="group-([a-z_]+)">([^<]*)<\/h2>/g)].map((m) => [m[1], m[2]]);
    expect(headings).toEqual([
      ['pr_approval', 'PR requests to approve (2)'],
      ['ci_red', 'CI failing on the PR (1)'],
      ['escalation', 'Escalated to a person (2)'],
    ]);
    expect(html).toContain('<a href="#group-pr_approval">PR requests to approve: 2</a>');
  });

  it('shows a PR request with its title, when it was requested and expires, and the exact CLI and bot commands', async () => {
    const { html } = await get(dash, '/approvals');
    const [request] = (await pendingPrRequests(dash.deps.db, { limit: 10 })).filter((r) => r.run_id === SEED_RUN_IDS.awaitingApproval);
    const [run, state, why, since, howTo] = rowOf(html, 'PR requests to approve', SEED_RUN_IDS.awaitingApproval);
    expect(run).toBe(`${SEED_RUN_IDS.awaitingApproval} acme/widgets-docs`);
    expect(state).toBe('PUSHED');
    expect(why).toBe('A PR request waits for approval. Title: docs: clarify the README quick start; requested 24 min ago; expires in 4 h.');
    expect(since).toBe('9 h ago');
    expect(howTo).toBe(
      `CLI agentpr approve-open-pr --run-id ${SEED_RUN_IDS.awaitingApproval} --request-file ${request!.request_file} --confirm-token TOKEN --confirm ` +
        `(or approve the card in Telegram) Bot /approve_pr ${SEED_RUN_IDS.awaitingApproval}`,
    );
    expect(html).toContain(`<a href="/runs/${SEED_RUN_IDS.awaitingApproval}">`);
  });

  it('shows CI failing with the failing checks, and escalations with the last error and a /retry', async () => {
    const { html } = await get(dash, '/approvals');
    const ci = rowOf(html, 'CI failing on the PR', SEED_RUN_IDS.iterating);
    expect(ci[2]).toBe('CI failed on PR #31. Failing checks: lint, test (ubuntu-latest, node 20)');
    expect(ci[4]).toBe(`CLI agentpr drive --run-id ${SEED_RUN_IDS.iterating} Bot no bot command; use the CLI`);
    const review = rowOf(html, 'Escalated to a person', SEED_RUN_IDS.needsHuman);
    expect(review[2]).toBe('The run was escalated from IMPLEMENTING. Last error: agent:agent_reported_needs_review:HUMAN_REVIEW');
    expect(review[4]).toContain(`Bot /retry ${SEED_RUN_IDS.needsHuman} IMPLEMENTING`);
  });

  it('says approval needs the operator\'s confirm token, and never shows a token, a form or a button', async () => {
    const { html } = await get(dash, '/approvals');
    const main = mainOf(html);
    expect(textOf(main)).toContain('Approving a PR takes the confirm token printed when the PR was requested, which the operator holds');
    expect(main).not.toMatch(/<(form|button|input)\b/);
    // The seed stores the confirm tokens' hashes as 'e' × 64; nothing of them is read or shown, nor any secret.
    expect(html).not.toContain('e'.repeat(16));
    expect(html).not.toContain(SEED_SECRET);
  });

  it('escapes the hostile PR title and last error', async () => {
    const { html } = await get(dash, '/approvals');
    expect(unsafeMarkup(html)).toEqual([]);
    expect(html).not.toContain(HOSTILE.script);
    expect(html).not.toContain(HOSTILE.img);
    expect(html).not.toContain('\u202E');
    const row = rowOf(html, 'PR requests to approve', SEED_RUN_IDS.hostilePending);
    expect(row[2]).toContain(`Title: ${HOSTILE_PR_TITLE.replace(/[\u202E\u2068\u2069]/g, '\uFFFD')};`);
    expect(rowOf(html, 'Escalated to a person', SEED_RUN_IDS.hostile)[2]).toContain('Last error: pr_create:github_error:<script>alert(1)</script>');
  });

  it('never asks GitHub: the inbox is built from the store alone', async () => {
    let calls = 0;
    const github = { client: () => ((calls += 1), Promise.resolve(undefined)) };
    const deps: DashboardDeps = { ...dash.deps, app: { ...dash.deps.app, github } };
    const app = createDashboardApp(deps, { token: undefined, livePollMs: 1000 });
    const { status, html } = await get({ app }, '/approvals');
    expect(status).toBe(200);
    expect(html).toContain('CI failed on PR #31.');
    expect(calls).toBe(0);
  });

  it('says nothing waits when no run needs a person', async () => {
    const { status, html } = await get(empty, '/approvals');
    expect(status).toBe(200);
    expect(textOf(mainOf(html))).toContain('Nothing waits for a person.');
    expect(mainOf(html)).not.toContain('<table');
  });
});
