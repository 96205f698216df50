export { createLogger } from './create-logger.js';
export type { LogDestination, LogFormat, LogLevel, Logger, LoggerOptions } from './create-logger.js';
export { sanitizeFields } from './sanitize-fields.js';
export type { RedactText } from './sanitize-fields.js';
export { REDACTED, SECRET_KEYS, isSecretKey, secretRedactPaths } from './secret-keys.js';
export { openRotatingJsonl, rotateFile, truncateAuditField, AUDIT_FIELD_MAX_CHARS } from './rotating-jsonl.js';
export type { RotatingJsonl, RotatingJsonlOptions } from './rotating-jsonl.js';
