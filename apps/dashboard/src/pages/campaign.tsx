import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const campaignPage: Page = async () => ({ title: 'Campaigns', nav: 'campaigns', body: <p>Campaigns: not built yet.</p> });
