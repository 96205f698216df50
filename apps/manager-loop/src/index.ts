export { main, MANAGER_LOOP_SERVICE } from './main.js';
export { runManagerLoopService } from './run-manager-loop-service.js';
export type { ManagerLoopServiceInput, ManagerLoopServiceResult } from './run-manager-loop-service.js';
export { parseManagerLoopArgs, MANAGER_LOOP_FLAGS, MANAGER_LOOP_HELP, MANAGER_LOOP_SUMMARY } from './parse-flags.js';
export type { ManagerLoopArgs } from './parse-flags.js';
export { MANAGER_OPTIONS, managerFlags, actionConfig } from './manager-flags.js';
export { renderTick } from './render-tick.js';
