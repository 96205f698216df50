import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { SEED_RUN_IDS } from '../seed.js';
import { PAGE_TIMEOUT_MS, startServer, watchContext, type BrowserSession, type PageWatch, type TestServer } from './browser-harness.js';

// A token-guarded dashboard in a real chromium: the sign-in form refuses a wrong token, and the right one sets a
// session cookie (never the token) and opens the page that was asked for.

const TOKEN = 'browser-test-token-0123456789abcdef';

/** The sign-in suite of the browser test: a second server, with a token, over the session's store. */
export function loginSuite(session: () => BrowserSession): void {
  let dash: TestServer;
  let context: BrowserContext;
  let watch: PageWatch;
  let page: Page;

  describe('signing in to a token-guarded dashboard in chromium', () => {
    beforeAll(async () => {
      dash = await startServer(session().seed, { token: TOKEN });
      context = await session().browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      watch = watchContext(context);
      page = await context.newPage();
    });

    afterAll(async () => {
      await context?.close();
      await dash?.close();
    });

    it('sends a visitor without a session to the login form, which refuses a wrong token', async () => {
      await page.goto(`${dash.origin}/runs/${SEED_RUN_IDS.queued}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.locator('main h1').innerText()).toBe('Sign in');
      await page.getByLabel('Dashboard token').fill('not-the-token-at-all-0000');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.getByRole('alert').innerText()).toBe('That is not the dashboard token.');
      expect((await context.cookies()).length).toBe(0);
      // The refused login answers 401: chromium logs that resource; it is expected here.
      watch.errors = watch.errors.filter((e) => !/\/login\S*: Failed to load resource: .* 401 /.test(e));
    });

    it('signs in with the token: an HttpOnly session cookie that is not the token, then back to the page asked for', async () => {
      await page.goto(`${dash.origin}/runs/${SEED_RUN_IDS.queued}`);
      await page.getByLabel('Dashboard token').fill(TOKEN);
      await Promise.all([page.waitForURL(`**/runs/${SEED_RUN_IDS.queued}`), page.getByRole('button', { name: 'Sign in' }).click()]);
      expect(await page.locator('main h1').innerText()).toContain(SEED_RUN_IDS.queued);
      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(cookies[0]!.value).not.toContain(TOKEN);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    });

    it('logged no console error or CSP violation and opened no dialog', () => {
      expect(watch.errors).toEqual([]);
      expect(watch.dialogs).toEqual([]);
    });
  });
}
