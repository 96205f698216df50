export { main, DASHBOARD_SERVICE } from './main.js';
export { parseDashboardArgs, DASHBOARD_FLAGS, DASHBOARD_HELP, DASHBOARD_SUMMARY } from './parse-flags.js';
export type { DashboardArgs } from './parse-flags.js';
export { startDashboard, dashboardDeps } from './run-dashboard.js';
export type { DashboardListening, RunningDashboard } from './run-dashboard.js';
export { createDashboardApp, PAGES } from './server.js';
export type { DashboardDeps, DashboardServerOptions } from './deps.js';
export type { Page, PageRequest, PageResult, NavKey } from './page.js';
export { PageError } from './page.js';
