/**
 * `formatDuration` lives with the pure formatters in `@agentpr/runtime-analysis` (the manager insight uses it too);
 * this subpath keeps the apps' small import (`@agentpr/reports/format-duration`) working.
 */
export { formatDuration } from '@agentpr/runtime-analysis';
