/** The shortest literal secret {@link redactSecrets} replaces; shorter values would blank ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replaces credentials embedded in URLs (`https://user:token@host`, `https://token@host`), GitHub token
 * shapes (`ghp_…`, `github_pat_…`) and every literal value in `secrets` (e.g. the push token the git runner
 * holds, whatever its shape) with `***`, so tokens never reach messages, logs or stored attempts.
 * Literal values shorter than 6 characters are ignored.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join('***');
  }
  return out
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')
    .replace(/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{6,}/g, '$1***');
}
