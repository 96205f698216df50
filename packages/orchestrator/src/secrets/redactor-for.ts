import { createSecretRedactor, type SecretRedactor } from './secret-redactor.js';

const byEnv = new WeakMap<object, SecretRedactor>();

/**
 * The redactor a use case should apply to what it stores or prints: `ctx.redactor` when the app built one (the
 * CLI adds its secret flags), else one built from `ctx.env` and cached per env object. The cache assumes the
 * env is not changed after the first call, as apps do.
 *
 * @example
 * const { redact, redactDeep } = redactorFor(ctx);
 * writeNewFile(dir, prefix, now, '.json', redact(JSON.stringify(report, null, 2)));
 */
export function redactorFor(ctx: { env: Readonly<Record<string, string | undefined>>; redactor?: SecretRedactor }): SecretRedactor {
  if (ctx.redactor) return ctx.redactor;
  let redactor = byEnv.get(ctx.env);
  if (!redactor) {
    redactor = createSecretRedactor(ctx.env);
    byEnv.set(ctx.env, redactor);
  }
  return redactor;
}
