export { MAINTAINER_ASSOCIATIONS, isMaintainer } from './maintainers.js';
export * from './ai-stance.js';
export * from './duplicate-match.js';
export * from './schedule.js';
export * from './rejection.js';
