export { createSecretRedactor, KNOWN_SECRET_ENV_NAMES, MIN_SECRET_LENGTH, REDACTED } from './secret-redactor.js';
export type { ExtraSecrets, SecretRedactor } from './secret-redactor.js';
export { redactorFor } from './redactor-for.js';
export { redactingStream } from './redacting-stream.js';
