import type { Page } from '../page.js';

/** Placeholder: the page is being built. */
export const approvalsPage: Page = async () => ({ title: 'Pending approvals', nav: 'approvals', body: <p>Pending approvals: not built yet.</p> });
