import { afterAll, beforeAll } from 'vitest';
import { cleanupTempDirs } from '@agentpr/testing';
import { closeSession, startSession, type BrowserSession } from './browser-harness.js';
import { hostileSuite } from './hostile-suite.js';
import { loginSuite } from './login-suite.js';
import { pagesSuite } from './pages-suite.js';

// The dashboard in a real browser: Debian's chromium (AGENTPR_CHROMIUM, else /usr/bin/chromium) driven by
// playwright-core, over one seeded store. One browser and one module graph for every suite keeps the whole browser
// test at a few seconds of work beyond its imports; each suite has its own browser context and its own checks that
// nothing logged an error, broke the CSP or opened a dialog. Without chromium every test fails saying to install it.

let session: BrowserSession | undefined;

beforeAll(async () => {
  session = await startSession();
});

afterAll(async () => {
  await closeSession(session);
  cleanupTempDirs();
});

function current(): BrowserSession {
  if (!session) throw new Error('the browser session did not start (see the first failure)');
  return session;
}

pagesSuite(current);
hostileSuite(current);
loginSuite(current);
