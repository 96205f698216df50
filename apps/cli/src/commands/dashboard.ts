import { DASHBOARD_FLAGS, DASHBOARD_SUMMARY } from '@agentpr/dashboard-app';
import { serviceCommand } from '../service-command.js';

/**
 * `agentpr dashboard` (also the `agentpr-dashboard` binary): the read-only web dashboard. The CLI opens the store
 * read-only for it (`store: 'read-only'`); a non-loopback `--host` without `AGENTPR_DASHBOARD_TOKEN` exits 2.
 */
export const command = serviceCommand({
  name: 'dashboard',
  summary: DASHBOARD_SUMMARY,
  example: 'agentpr dashboard   # then open http://127.0.0.1:8790/ (beyond loopback: AGENTPR_DASHBOARD_TOKEN=… agentpr dashboard --host 0.0.0.0)',
  gate: 'read_only',
  options: DASHBOARD_FLAGS,
  load: async () => (await import('@agentpr/dashboard-app')).DASHBOARD_SERVICE,
});
