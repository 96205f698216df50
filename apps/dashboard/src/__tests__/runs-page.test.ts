import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, createRun, openReadOnlyStore, openStore, type Db } from '@agentpr/store';
import { cleanupTempDirs, dialectsUnderTest, freshDatabase, tempDir } from '@agentpr/testing';
import { StateCountsCache } from '../views/state-counts.js';
import { captionOf, mainOf, nextHref, runRows, textOf } from './run-html.js';
import { openDashboardForTest, SEED_CAMPAIGNS, SEED_RUN_IDS as ID, seedDashboardStore, type TestDashboard } from './seed.js';

// The runs page over the shared seed (ten named runs, eight of them under `acme`) plus 120 bulk runs of `bulk-org`,
// read through a read-only store, over HTTP.

const BULK = 120;
const NAMED = Object.keys(ID).length;
let dash: TestDashboard;

beforeAll(async () => {
  const seed = await seedDashboardStore(tempDir('dash-runs-'), { bulkRuns: BULK });
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

async function ids(url: string): Promise<string[]> {
  const { status, html } = await get(url);
  expect(status, url).toBe(200);
  return runRows(html).map((r) => r.runId);
}

describe('runs page', () => {
  it('GET / lists the newest-updated runs first under "N runs match", with the runs per state', async () => {
    const { status, html } = await get('/');
    expect(status).toBe(200);
    expect(captionOf(html)).toBe(`${NAMED + BULK} runs match`);
    const rows = runRows(html);
    expect(rows).toHaveLength(50);
    const updated = rows.map((r) => /<time datetime="([^"]+)"/.exec(r.html)![1]!);
    expect(updated).toEqual([...updated].sort().reverse());
    expect(html).toMatch(/<a href="\/\?state=CI_WAIT">CI_WAIT <span class="count">1<\/span><\/a>/);
    expect(html).toMatch(new RegExp(`<a href="/\\?state=QUEUED">QUEUED <span class="count">${BULK + 1}</span></a>`));
  });

  it('GET / has a GET form whose every control is labelled, listing the known campaigns', async () => {
    const { html } = await get('/');
    expect(html).toContain('<form method="get" action="/"');
    for (const id of ['f-state', 'f-repo', 'f-campaign', 'f-verdict', 'f-sort', 'f-dir']) {
      expect(html, id).toContain(`<label for="${id}">`);
      expect(html, id).toMatch(new RegExp(`<(select|input) id="${id}"`));
    }
    for (const campaign of Object.values(SEED_CAMPAIGNS)) expect(html).toContain(`<option value="${campaign}">${campaign}</option>`);
  });

  it('filters by state (one or several), repository, campaign and verdict, alone and together', async () => {
    expect(await ids('/?state=CI_WAIT')).toEqual([ID.ciWait]);
    expect(new Set(await ids('/?state=CI_WAIT&state=ITERATING'))).toEqual(new Set([ID.ciWait, ID.iterating]));
    expect(new Set(await ids('/?repo=acme/widgets'))).toEqual(new Set([ID.queued, ID.merged]));
    expect(new Set(await ids('/?repo=ACME/Widgets'))).toEqual(new Set([ID.queued, ID.merged]));
    expect(await ids('/?repo=acme')).toHaveLength(8);
    expect(new Set(await ids(`/?campaign=${SEED_CAMPAIGNS.docs}`))).toEqual(new Set([ID.localValidating, ID.awaitingApproval, ID.needsHuman, ID.skipped]));
    expect(new Set(await ids('/?verdict=PASS'))).toEqual(new Set([ID.localValidating, ID.awaitingApproval, ID.ciWait, ID.merged]));
    expect(new Set(await ids('/?verdict=none&repo=acme'))).toEqual(new Set([ID.queued, ID.skipped]));
    expect(new Set(await ids(`/?campaign=${SEED_CAMPAIGNS.docs}&verdict=PASS`))).toEqual(new Set([ID.localValidating, ID.awaitingApproval]));
    const { html } = await get('/?state=PUSHED&state=DONE&verdict=HUMAN_REVIEW&repo=acme');
    expect(captionOf(html)).toBe('0 runs match');
    expect(html).toContain('No run matches these filters.');
  });

  it('shows the filters it applied back in the form', async () => {
    const { html } = await get(`/?state=PUSHED&state=DONE&repo=acme/widgets&campaign=${SEED_CAMPAIGNS.deps}&verdict=none&sort=repo&dir=desc`);
    expect(html).toContain('<option value="PUSHED" selected="">PUSHED</option>');
    expect(html).toContain('<option value="DONE" selected="">DONE</option>');
    expect(html).toContain('<option value="CI_WAIT">CI_WAIT</option>');
    expect(html).toMatch(/<input id="f-repo" name="repo" type="text" value="acme\/widgets"/);
    expect(html).toContain(`<option value="${SEED_CAMPAIGNS.deps}" selected="">`);
    expect(html).toContain('<option value="none" selected="">');
    expect(html).toContain('<option value="repo" selected="">');
    expect(html).toContain('<option value="desc" selected="">');
  });

  it('treats the empty values a form without JavaScript sends as unset', async () => {
    const { status, html } = await get('/?state=&repo=&campaign=&verdict=&sort=updated&dir=desc');
    expect(status).toBe(200);
    expect(captionOf(html)).toBe(`${NAMED + BULK} runs match`);
  });

  it('sorts by repository A→Z and Z→A, and by creation time', async () => {
    const repoOf = (runId: string) => runId;
    const az = await ids('/?repo=acme&sort=repo&dir=asc');
    const { html } = await get('/?repo=acme&sort=repo&dir=asc');
    const repos = runRows(html).map((r) => /acme\/([a-z-]+)/.exec(r.text)![1]!);
    expect(repos).toEqual(['api-client', 'gadgets', 'legacy', 'parser', 'sprockets', 'widgets', 'widgets', 'widgets-docs']);
    expect((await ids('/?repo=acme&sort=repo&dir=desc')).map(repoOf)).toEqual([...az].reverse());
    expect(await ids('/?repo=acme&sort=created')).toEqual([ID.queued, ID.localValidating, ID.awaitingApproval, ID.needsHuman, ID.iterating, ID.ciWait, ID.skipped, ID.merged]);
    expect(await ids('/?repo=acme&sort=created&dir=asc')).toEqual([ID.merged, ID.skipped, ID.ciWait, ID.iterating, ID.needsHuman, ID.awaitingApproval, ID.localValidating, ID.queued]);
  });

  it('pages through every matching run once with "Next page", keeping the filters', async () => {
    const seen: string[] = [];
    let url: string | null = '/?repo=bulk-org&limit=40&sort=created';
    let pages = 0;
    while (url) {
      const { status, html } = await get(url);
      expect(status, url).toBe(200);
      expect(captionOf(html)).toBe(`${BULK} runs match`);
      seen.push(...runRows(html).map((r) => r.runId));
      if (pages > 0) expect(html).toContain('>First page</a>');
      url = nextHref(html);
      if (url) {
        const params = new URL(url, 'http://x').searchParams;
        expect([params.get('repo'), params.get('limit'), params.get('sort'), params.get('dir')]).toEqual(['bulk-org', '40', 'created', 'desc']);
      }
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(BULK);
    expect(new Set(seen).size).toBe(BULK);
  });

  it('links a PR to GitHub and shows the latest verdict, the state and the last error of each run', async () => {
    const { html } = await get('/?repo=acme&sort=repo');
    const rows = new Map(runRows(html).map((r) => [r.runId, r]));
    const ciWait = rows.get(ID.ciWait)!;
    expect(ciWait.html).toContain('<a href="https://github.com/acme/api-client/pull/42" rel="noopener noreferrer">#42</a>');
    expect(ciWait.text).toContain('CI_WAIT');
    expect(ciWait.text).toContain('PASS');
    expect(ciWait.html).toContain(`<a href="/runs/${ID.ciWait}">`);
    const review = rows.get(ID.needsHuman)!;
    expect(review.text).toContain('NEEDS_HUMAN_REVIEW');
    expect(review.text).toContain('HUMAN_REVIEW');
    expect(review.text).toContain('agent:agent_reported_needs_review:HUMAN_REVIEW');
    expect(rows.get(ID.queued)!.text).toContain('no verdict');
    expect(rows.get(ID.queued)!.text).toContain(SEED_CAMPAIGNS.deps);
  });

  it.each([
    ['state=BOGUS', /^state: "BOGUS" is not one of QUEUED, /],
    ['sort=size', /^sort: "size" is not one of updated, created, repo, state$/],
    ['dir=up', /^dir: "up" is not one of asc, desc$/],
    ['verdict=MAYBE', /^verdict: "MAYBE" is not one of PASS, RETRYABLE, HUMAN_REVIEW, none$/],
    ['repo=a/b/c', /^repo: give an owner or owner\/repo/],
    ['repo=%3Cscript%3E', /^repo: give an owner or owner\/repo/],
    ['limit=0', /^limit: a whole number from 1 to 200$/],
    ['limit=500', /^limit: a whole number from 1 to 200$/],
    ['limit=ten', /^limit: a whole number from 1 to 200$/],
    ['cursor=%25%25%25', /^cursor: malformed; start again from the first page$/],
    ['cursor=bm90LWEtY3Vyc29y', /^cursor: not a cursor of this list; start again from the first page\.$/],
    ['sort=repo&sort=state', /^sort: give it once, not 2 times$/],
  ])('GET /?%s answers 400 with one line naming the parameter', async (query, message) => {
    const { status, html } = await get(`/?${query}`);
    expect(status).toBe(400);
    const alert = /<p role="alert">([\s\S]*?)<\/p>/.exec(mainOf(html))?.[1] ?? '';
    expect(alert).not.toContain('\n');
    expect(textOf(alert)).toMatch(message);
  });

  it('answers a cursor from another order with 400 naming the cursor', async () => {
    const { html } = await get('/?limit=5');
    const next = new URL(nextHref(html)!, 'http://x').searchParams.get('cursor')!;
    const { status, html: refused } = await get(`/?sort=created&cursor=${next}`);
    expect(status).toBe(400);
    expect(textOf(/<p role="alert">([\s\S]*?)<\/p>/.exec(refused)![1]!)).toMatch(/^cursor: it belongs to another order than created desc/);
  });
});

/** The runs per state the page shows (its state-count links). */
function stateCountsOf(html: string): Record<string, number> {
  return Object.fromEntries([...html.matchAll(/<a href="\/\?state=([A-Z_]+)">\1 <span class="count">(\d+)<\/span><\/a>/g)].map((m) => [m[1]!, Number(m[2])]));
}

const newRun = (runId: string, owner = 'cache-org') => ({ runId, owner, repo: 'counts', promptVersion: 'v1', mode: 'push_only' as const, budget: {}, workspaceDir: `/w/${runId}` });
const toTerminal = { event: { type: 'command.retry' as const, target_state: 'FAILED_TERMINAL' as const, actor: 'manager' as const, error: 'manager:test' } };

describe('runs page state counts (cached until the store changes)', () => {
  it('shows a state change and a new run made through a writer connection on the next page', async () => {
    const seed = await seedDashboardStore(tempDir('dash-counts-'), { hostile: false });
    const dashboard = await openDashboardForTest(seed.dbPath);
    try {
      const page = async () => stateCountsOf(await (await dashboard.app.request('/')).text());
      const before = await page();
      expect(before.QUEUED).toBe(1);
      expect(await page()).toEqual(before);
      await applyEvent(seed.db, ID.queued, toTerminal);
      // The page lists only the states that have runs: QUEUED's one run left it.
      const { QUEUED: _moved, ...others } = before;
      expect(await page()).toEqual({ ...others, FAILED_TERMINAL: (before.FAILED_TERMINAL ?? 0) + 1 });
      await createRun(seed.db, newRun('run_counts_new'));
      const after = await page();
      expect(after.QUEUED).toBe(1);
      expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(Object.values(before).reduce((a, b) => a + b, 0) + 1);
    } finally {
      await dashboard.close();
      await seed.close();
    }
  });

  it('keeps one cache per dashboard: a second store shows its own counts', async () => {
    const one = await seedDashboardStore(tempDir('dash-counts-one-'), { hostile: false });
    const two = await seedDashboardStore(tempDir('dash-counts-two-'), { hostile: false, bulkRuns: 3 });
    const first = await openDashboardForTest(one.dbPath);
    const second = await openDashboardForTest(two.dbPath);
    try {
      const counts = async (d: TestDashboard) => stateCountsOf(await (await d.app.request('/')).text());
      expect((await counts(first)).QUEUED).toBe(1);
      expect((await counts(second)).QUEUED).toBe(4);
      expect((await counts(first)).QUEUED).toBe(1);
    } finally {
      await Promise.all([first.close(), second.close(), one.close(), two.close()]);
    }
  });
});

describe.each(dialectsUnderTest())('StateCountsCache on %s', (kind) => {
  it('reads the counts again after every event, and after maxAgeMs even without one', async () => {
    const database = await freshDatabase(kind);
    const write = await openStore(database.location);
    const read = await openReadOnlyStore(database.location);
    let now = 0;
    const cache = new StateCountsCache(read.db, { monotonic: () => now, maxAgeMs: 1_000 });
    const sneak = (db: Db, runId: string) => db.updateTable('run_states').set({ current_state: 'DONE' }).where('run_id', '=', runId).execute();
    try {
      expect(await cache.counts()).toEqual({});
      await createRun(write.db, newRun('run_c1'));
      await createRun(write.db, newRun('run_c2'));
      expect(await cache.counts()).toEqual({ QUEUED: 2 });
      await applyEvent(write.db, 'run_c1', toTerminal);
      expect(await cache.counts()).toEqual({ QUEUED: 1, FAILED_TERMINAL: 1 });
      // A write without an event (no agentpr writer does one) is not seen while the counts are cached ...
      await sneak(write.db, 'run_c2');
      now = 999;
      expect(await cache.counts()).toEqual({ QUEUED: 1, FAILED_TERMINAL: 1 });
      // ... and is once they are older than maxAgeMs.
      now = 1_000;
      expect(await cache.counts()).toEqual({ DONE: 1, FAILED_TERMINAL: 1 });
    } finally {
      await read.close();
      await write.close();
      await database.drop();
    }
  });
});
