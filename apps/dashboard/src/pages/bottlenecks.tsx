import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const bottlenecksPage: Page = async () => ({ title: 'Bottlenecks', nav: 'bottlenecks', body: <p>Bottlenecks: not built yet.</p> });
