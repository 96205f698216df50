import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { applyEvent } from '@agentpr/store';
import { SEED_CAMPAIGNS, SEED_NOW, SEED_RUN_IDS } from '../seed.js';
import { horizontalOverflow, PAGE_TIMEOUT_MS, watchContext, type BrowserSession, type PageWatch } from './browser-harness.js';

// Every page in a real chromium over the seeded store: what a person sees (headings, table rows, chart titles), the
// path from the runs list to a run to its evidence, a state change shown live without a reload, no console error or
// CSP violation anywhere, and a phone-sized viewport that never scrolls sideways.

/** The pages' suite of the browser test, over the session's token-less dashboard. */
export function pagesSuite(session: () => BrowserSession): void {
  let context: BrowserContext;
  let watch: PageWatch;
  let page: Page;
  let origin: string;

  async function open(path: string): Promise<void> {
    const response = await page.goto(`${origin}${path}`);
    expect(response?.status(), path).toBe(200);
  }

  const heading = () => page.locator('main h1').first().innerText();
  /** The state the run page's header shows (its "State" fact). */
  const stateShown = async () => (await page.locator('main dt', { hasText: /^State$/ }).locator('xpath=following-sibling::dd[1]').innerText()).trim();

  describe('the dashboard in chromium', () => {
    beforeAll(async () => {
      origin = session().open.origin;
      context = await session().browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      watch = watchContext(context);
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
    });

    it('lists the runs in a table, with the state counts and the filter form', async () => {
      await open('/');
      expect(await heading()).toBe('Runs');
      const table = page.locator('main table').first();
      await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThanOrEqual(Object.keys(SEED_RUN_IDS).length);
      for (const id of [SEED_RUN_IDS.queued, SEED_RUN_IDS.iterating, SEED_RUN_IDS.merged, SEED_RUN_IDS.skipped]) {
        expect(await table.getByRole('link', { name: id }).count(), id).toBe(1);
      }
      expect(await table.locator('caption').innerText()).toMatch(/\d+ runs?/);
      expect(await page.getByLabel(/state/i).count()).toBeGreaterThan(0);
    });

    it('filters the runs by state without JavaScript help (a GET form)', async () => {
      await open('/?state=CI_WAIT');
      const rows = page.locator('main table tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().innerText()).toContain(SEED_RUN_IDS.ciWait);
    });

    it('follows a run from the list to its page and opens an attempt to its evidence', async () => {
      await open('/');
      await page.locator('main table').getByRole('link', { name: SEED_RUN_IDS.iterating }).click();
      await page.waitForURL(`**/runs/${SEED_RUN_IDS.iterating}`);
      expect(await heading()).toContain(SEED_RUN_IDS.iterating);
      const main = await page.locator('main').innerText();
      expect(main).toContain('acme/gadgets');
      expect(main).toContain('ITERATING');
      expect(await page.getByRole('heading', { name: 'Timeline' }).count()).toBe(1);
      // The newest agent attempt's evidence is open; an older one's opens on a click.
      const attempts = page.locator('details[id^="attempt-"]');
      expect(await attempts.count()).toBeGreaterThanOrEqual(2);
      const newest = attempts.filter({ hasText: 'test_command_failed' }).last();
      expect(await newest.getAttribute('open')).not.toBeNull();
      expect(await newest.locator('.evidence').innerText()).toContain('2 of 88 tests failed');
      // Each agent attempt names the engine and model that ran it (issue 19): the fix round ran on claude.
      expect(await newest.locator('summary .engine').innerText()).toBe(' (claude · claude-sonnet-4-5)');
      const older = attempts.filter({ hasText: 'runtime_success' }).first();
      const line = older.getByText('npm test passed (212 tests)');
      expect(await line.isVisible()).toBe(false);
      await older.locator('summary').click();
      await expect.poll(() => line.isVisible()).toBe(true);
      // The attempt's id is a link target: the URL fragment opens it too.
      const id = (await older.getAttribute('id'))!;
      expect(id).toMatch(/^attempt-\d+$/);
    });

    it('shows the run page facts: lease, failing checks, PR link, next gate', async () => {
      await open(`/runs/${SEED_RUN_IDS.iterating}`);
      const main = await page.locator('main').innerText();
      expect(main).toContain('manager-loop:dash-host:4242');
      expect(main).toContain('lint');
      expect(await page.locator('main a[href="https://github.com/acme/gadgets/pull/31"]').count()).toBeGreaterThan(0);
      expect(await page.getByRole('heading', { name: /next gate/i }).count()).toBe(1);
    });

    it('shows the pending approvals with the command that approves them, and no token', async () => {
      await open('/approvals');
      expect(await heading()).toMatch(/approval/i);
      const main = await page.locator('main').innerText();
      expect(main).toContain(SEED_RUN_IDS.awaitingApproval);
      expect(main).toContain('docs: clarify the README quick start');
      expect(main).toMatch(/approve/i);
      expect(main).not.toContain('e'.repeat(64));
    });

    it('draws the bottleneck charts with titles and their numbers as text', async () => {
      await open('/bottlenecks');
      expect(await heading()).toBe('Bottlenecks');
      const charts = page.locator('main svg[role="img"]');
      expect(await charts.count()).toBeGreaterThanOrEqual(1);
      const titles = await charts.locator('title').allTextContents();
      expect(titles.join(' ')).toMatch(/step|state|stage/i);
      expect(await page.locator('main').innerText()).toContain('agent');
    });

    it('lists the campaigns and draws one campaign', async () => {
      await open('/campaigns');
      expect(await heading()).toBe('Campaigns');
      await page.locator('main').getByRole('link', { name: SEED_CAMPAIGNS.deps, exact: true }).first().click();
      await page.waitForURL(`**/campaigns/${SEED_CAMPAIGNS.deps}`);
      expect(await heading()).toContain(SEED_CAMPAIGNS.deps);
      expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator('main').innerText()).toMatch(/merged/i);
    });

    it('shows the webhook health from the audit log and the deliveries', async () => {
      await open('/webhook');
      expect(await heading()).toMatch(/webhook/i);
      const main = await page.locator('main').innerText();
      expect(main).toMatch(/processed/);
      expect(main).toContain('database is locked');
      expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThanOrEqual(1);
    });

    it('shows a state change on the open run page without a reload', async () => {
      const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === '/live' && r.status() === 200);
      await open(`/runs/${SEED_RUN_IDS.queued}`);
      expect(await stateShown()).toBe('QUEUED');
      await streaming;
      // A marker on the window survives only if the page is never reloaded.
      await page.evaluate('window.notReloaded = true');
      const structure = () => page.evaluate<string[]>("Array.from(document.querySelectorAll('main > *'), (e) => e.tagName + '.' + e.className)");
      const before = await structure();
      expect(before.length).toBeGreaterThan(2);
      const later = () => new Date(Math.max(Date.now(), SEED_NOW.getTime() + 3_600_000));
      await applyEvent(session().seed.db, SEED_RUN_IDS.queued, { event: { type: 'command.start.discovery', actor: 'manager' } }, later);
      // The live script swaps <main>: the new event shows in the timeline and the state in the header.
      await page.locator('main').getByText('command.start.discovery').first().waitFor({ timeout: 15_000 });
      expect(await stateShown()).toBe('DISCOVERY');
      // Every part of <main> came through the swap, none skipped.
      expect(await structure()).toEqual(before);
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      expect(await page.locator('#live-status').innerText()).toMatch(/Updated/);
    });

    it('answers an unknown run with a 404 page in the layout', async () => {
      const response = await page.goto(`${origin}/runs/run_does_not_exist`);
      expect(response?.status()).toBe(404);
      expect(await heading()).toBe('Not found');
      // A 404 is logged by chromium as a failed resource; it is the expected answer here, not a page error.
      watch.errors = watch.errors.filter((e) => !(e.includes('/runs/run_does_not_exist') && /404/.test(e)));
    });

    it('fits a phone: no page scrolls sideways at 390×844', async () => {
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      const paths = ['/', `/runs/${SEED_RUN_IDS.iterating}`, `/runs/${SEED_RUN_IDS.hostile}`, '/approvals', '/bottlenecks', '/campaigns', `/campaigns/${SEED_CAMPAIGNS.deps}`, '/webhook'];
      const wide: string[] = [];
      for (const path of paths) {
        await phone.goto(`${origin}${path}`);
        const { scrollWidth, clientWidth } = await horizontalOverflow(phone);
        if (scrollWidth > clientWidth) wide.push(`${path}: ${scrollWidth}px > ${clientWidth}px`);
      }
      await phone.close();
      expect(wide).toEqual([]);
    });

    it('logged no console error, page error or CSP violation, and opened no dialog', () => {
      expect(watch.errors).toEqual([]);
      expect(watch.dialogs).toEqual([]);
    });
  });
}
