/**
 * `formatDuration` lives with the pure formatters in `@agentpr/runtime-analysis` (the manager insight uses it too);
 * this subpath keeps the apps' small import (`@agentpr/reports/format-duration`) working. It re-exports the module
 * alone (`@agentpr/runtime-analysis/format-duration`): through the package's index, the CLI loaded the whole
 * analyser (110 KB) on every start.
 */
export { formatDuration } from '@agentpr/runtime-analysis/format-duration';
