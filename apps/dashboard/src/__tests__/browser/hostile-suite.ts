import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { HOSTILE, HOSTILE_CAMPAIGN, SEED_RUN_IDS, SEED_SECRET } from '../seed.js';
import { PAGE_TIMEOUT_MS, watchContext, type BrowserSession, type PageWatch } from './browser-harness.js';

// The hostile runs in a real browser: their repository text, campaign, last error, agent message, evidence lines and
// PR title show literally as text, nothing of it runs (no dialog, no injected element, no javascript: link), and the
// secret an agent message carried is redacted.

/** The hostile-text suite of the browser test, over the session's token-less dashboard. */
export function hostileSuite(session: () => BrowserSession): void {
  let context: BrowserContext;
  let watch: PageWatch;
  let page: Page;

  async function open(path: string): Promise<string> {
    const response = await page.goto(`${session().open.origin}${path}`);
    expect(response?.status(), path).toBe(200);
    return page.locator('main').innerText();
  }

  const INJECTED = `(() => {
  const found = [];
  for (const img of document.querySelectorAll('img')) found.push('img ' + (img.getAttribute('src') || ''));
  for (const script of document.querySelectorAll('script')) {
    if (!(script.getAttribute('src') || '').startsWith('/assets/')) found.push('script ' + script.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) if (/^on/i.test(attr.name)) found.push(el.tagName + ' ' + attr.name);
  }
  for (const a of document.querySelectorAll('a[href]')) if (/^\\s*javascript:/i.test(a.getAttribute('href'))) found.push('a ' + a.getAttribute('href'));
  return found;
})()`;

  /** Nothing the hostile text could have injected is in the document: no foreign element, handler or javascript: link. */
  function injected(): Promise<string[]> {
    return page.evaluate<string[]>(INJECTED);
  }

  describe('hostile text in chromium', () => {
    beforeAll(async () => {
      context = await session().browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      watch = watchContext(context);
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
    });

    it('shows the hostile run page literally, redacts the secret and runs nothing', async () => {
      const main = await open(`/runs/${SEED_RUN_IDS.hostile}`);
      expect(main).toContain(HOSTILE.script);
      expect(main).toContain('onerror=alert(1)');
      expect(main).toContain(HOSTILE.js);
      expect(main).toContain('evil-org/evil-repo');
      expect(main).toContain('test failed: <script>');
      expect(main).not.toContain(SEED_SECRET);
      expect(await injected()).toEqual([]);
    });

    it('shows the hostile PR title on the approvals page literally', async () => {
      const main = await open('/approvals');
      expect(main).toContain(SEED_RUN_IDS.hostilePending);
      expect(main).toContain(`fix: ${HOSTILE.script}`);
      expect(await injected()).toEqual([]);
    });

    it('lists the hostile campaign on the runs page and the campaigns page, and its page opens by its encoded name', async () => {
      const runs = await open(`/?campaign=${encodeURIComponent(HOSTILE_CAMPAIGN)}`);
      expect(runs).toContain(SEED_RUN_IDS.hostile);
      expect(runs).toContain(SEED_RUN_IDS.hostilePending);
      expect(runs).not.toContain(SEED_RUN_IDS.queued);
      const campaigns = await open('/campaigns');
      expect(campaigns).toContain(HOSTILE.script);
      expect(await injected()).toEqual([]);
      const campaign = await open(`/campaigns/${encodeURIComponent(HOSTILE_CAMPAIGN)}`);
      expect(campaign).toContain(HOSTILE.script);
      expect(await injected()).toEqual([]);
    });

    it('never opened a dialog and logged no error', () => {
      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
    });
  });
}
