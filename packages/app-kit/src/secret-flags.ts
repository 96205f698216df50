/** Flags whose values are secrets (or, for `--database-url`, hold one); no agentpr app ever prints them. */
export const SECRET_FLAGS: readonly string[] = Object.freeze(['secret', 'previous-secret', 'telegram-token', 'metrics-token', 'database-url']);

/**
 * The values given to {@link SECRET_FLAGS} in `argv` (`--secret S` or `--secret=S`), keyed `--name#index`, read before
 * the arguments are parsed so even a usage error cannot echo them. Feed them to the app's secret redactor.
 */
export function secretFlagValues(argv: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!SECRET_FLAGS.includes(name)) continue;
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value !== undefined) found[`--${name}#${i}`] = value;
  }
  return found;
}
