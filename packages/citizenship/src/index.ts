export { MAINTAINER_ASSOCIATIONS, isMaintainer } from './maintainers.js';
export * from './ai-stance.js';
export * from './duplicate-match.js';
export * from './schedule.js';
export * from './rejection.js';
export * from './etiquette-limits.js';
export * from './repository-standing.js';
export { wallClock, zonedInstant, zonedInstants, zoneOffsetMs, addLocalDays, type WallClock } from './zoned-time.js';
export * from './contribution-documents.js';
