import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const runPage: Page = async () => ({ title: 'Run', nav: 'runs', body: <p>Run: not built yet.</p> });
