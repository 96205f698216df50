import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const runsPage: Page = async () => ({ title: 'Runs', nav: 'runs', body: <p>Runs: not built yet.</p> });
