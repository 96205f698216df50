/**
 * Replaces credentials embedded in URLs (`https://user:token@host`, `https://token@host`) and GitHub token
 * shapes (`ghp_…`, `github_pat_…`) with `***`, so tokens never reach messages, logs or stored attempts.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')
    .replace(/\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{6,}/g, '$1***');
}
