import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const webhookPage: Page = async () => ({ title: 'Webhook health', nav: 'webhook', body: <p>Webhook health: not built yet.</p> });
