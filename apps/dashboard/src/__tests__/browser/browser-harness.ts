import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '@agentpr/testing';
import { startDashboard, type RunningDashboard } from '../../run-dashboard.js';
import { openTestDeps, seedDashboardStore, type SeededStore, type SeedOptions } from '../seed.js';

// What every browser test file shares: Debian's chromium (never a downloaded browser), a real dashboard server on
// 127.0.0.1 over the seeded store, and a watch on each page for console errors, CSP violations and dialogs.

/**
 * How long a page action or navigation may take: generous for a CI machine running other suites at the same time;
 * a passing run takes well under a second per page.
 */
export const PAGE_TIMEOUT_MS = 15_000;

/** The chromium the tests drive: `AGENTPR_CHROMIUM` (set by .ci/run), else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.AGENTPR_CHROMIUM || '/usr/bin/chromium';
}

/**
 * Launches headless chromium. A missing executable fails the test in one line that says how to install it: the
 * browser tests never skip silently.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(`chromium not found at ${executablePath}: apt-get install chromium (or set AGENTPR_CHROMIUM to its path)`);
  }
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A dashboard server on 127.0.0.1. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` without the trailing slash. */
  origin: string;
  running: RunningDashboard;
  close(): Promise<void>;
}

/** Starts the real dashboard server on 127.0.0.1:0 over a read-only connection to the seeded store. */
export async function startServer(seed: SeededStore, options: { token?: string; livePollMs?: number } = {}): Promise<TestServer> {
  const { deps, close: closeDeps } = await openTestDeps(seed.dbPath);
  const running = await startDashboard(deps, { host: '127.0.0.1', port: 0, token: options.token, livePollMs: options.livePollMs ?? 100 });
  return {
    origin: running.info.url.replace(/\/$/, ''),
    running,
    async close() {
      await running.close();
      await closeDeps();
    },
  };
}

/** The browser and the seeded store every suite of the browser test shares, and an open (token-less) server over it. */
export interface BrowserSession {
  browser: Browser;
  /** The seed's writable connection stays open: a test applies live changes through it. */
  seed: SeededStore;
  /** The dashboard without a token (loopback). */
  open: TestServer;
}

/** Launches chromium and seeds a store in a new temp dir, with a token-less server over it. */
export async function startSession(options: { seed?: SeedOptions } = {}): Promise<BrowserSession> {
  const [browser, seed] = await Promise.all([launchChromium(), seedDashboardStore(tempDir('dash-browser-'), options.seed)]);
  return { browser, seed, open: await startServer(seed) };
}

/** Closes what {@link startSession} opened. */
export async function closeSession(session: BrowserSession | undefined): Promise<void> {
  if (!session) return;
  await session.browser.close();
  await session.open.close();
  await session.seed.close();
}

/** What a page did that a test must see as a failure. */
export interface PageWatch {
  /** Console errors (CSP violations are console errors) and uncaught page errors. */
  errors: string[];
  /** The messages of dialogs that opened (alert, confirm, prompt): hostile text that ran. Each is dismissed. */
  dialogs: string[];
}

/** Records console errors, page errors and dialogs of every page opened in `context`. */
export function watchContext(context: BrowserContext): PageWatch {
  const watch: PageWatch = { errors: [], dialogs: [] };
  const onPage = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error' && !/Content Security Policy/i.test(message.text())) return;
      const resource = message.location().url;
      // Chromium asks every origin for /favicon.ico by itself; the dashboard serves none, and that 404 is no page's.
      if (resource && new URL(resource).pathname === '/favicon.ico') return;
      watch.errors.push(`${page.url()}: ${message.text()}${resource && resource !== page.url() ? ` (${resource})` : ''}`);
    });
    page.on('pageerror', (error) => watch.errors.push(`${page.url()}: ${error.message}`));
    page.on('dialog', (dialog) => {
      watch.dialogs.push(dialog.message());
      void dialog.dismiss().catch(() => {});
    });
  };
  context.on('page', onPage);
  for (const page of context.pages()) onPage(page);
  return watch;
}

// Code that runs in the page is passed as a string: the dashboard compiles without the DOM library.

/** Whether the document is wider than the viewport (horizontal page overflow on a phone). */
export function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate<{ scrollWidth: number; clientWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })');
}
