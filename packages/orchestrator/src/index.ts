export type { AppContext, AgentprPaths, Logger } from './context.js';
export { silentLogger } from './context.js';
export { AgentprError } from './errors.js';
export type { AgentprErrorCode } from './errors.js';
export * from './runs/index.js';
export * from './github/index.js';
export * from './deploy/index.js';
export * from './workspace/index.js';
export * from './bot/index.js';
