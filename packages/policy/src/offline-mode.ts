/** Where the offline switch came from: a flag, the environment, the policy file, or the local set-up itself. */
export type OfflineSource = 'flag' | 'env' | 'policy' | 'auto';

/**
 * Whether this process runs in local and offline mode, and why. In that mode nothing talks to github.com: the
 * GitHub API is the configured (loopback) stand-in, and the upstream and fork are local repositories.
 */
export type OfflineMode = { offline: true; source: OfflineSource; reason: string } | { offline: false; reason: string };

/** What decides the offline switch. */
export interface OfflineModeInput {
  /** The environment: `AGENTPR_OFFLINE` (`1`/`true`/`yes`/`on`, or `0`/`false`/`no`/`off`) and `GITHUB_API_URL`. */
  env: Readonly<Record<string, string | undefined>>;
  /** `--offline` was given. */
  flag?: boolean | undefined;
  /** The policy file's top-level `offline`. */
  policy?: boolean | undefined;
  /** A `--github-api-url` flag; it wins over `GITHUB_API_URL`. */
  githubApiUrl?: string | undefined;
  /** The remotes the command will use (upstream and fork), when it knows them. */
  remotes?: readonly (string | undefined)[] | undefined;
}

/** The environment switch, its values and the help line that names every way to turn the mode on. */
export const OFFLINE_ENV = 'AGENTPR_OFFLINE';

/** One line naming the offline switch and the gate bypass, for errors and `doctor` when a network check fails. */
export const OFFLINE_HINT =
  'Working locally (local upstream and fork, a loopback GITHUB_API_URL)? Turn on offline mode with --offline, AGENTPR_OFFLINE=1 ' +
  'or "offline": true in the policy file; --skip-doctor skips the startup gate altogether.';

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** Whether `url` is an http(s) URL on a loopback host (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Whether a git remote is on this machine: a `file://` URL or a path (absolute, `./…`, `../…` or `~/…`), not `host:path` or a URL. */
export function isLocalRemote(remote: string): boolean {
  const text = remote.trim();
  if (text === '') return false;
  if (/^file:\/\//i.test(text)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return false;
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../') || text.startsWith('~/')) return true;
  // scp-like `user@host:path` or `host:path` is remote; a bare relative path without a colon is local.
  return !/^[^/]*:/.test(text);
}

/**
 * Decides the offline switch: `--offline` first, then `AGENTPR_OFFLINE`, then the policy's `offline`; without any
 * of them it is on automatically when the GitHub API URL is loopback and every remote the command names is local.
 * `AGENTPR_OFFLINE=0` keeps it off even then.
 *
 * @example
 * resolveOfflineMode({ env: { GITHUB_API_URL: 'http://127.0.0.1:4010' }, remotes: ['/srv/up.git', 'file:///srv/fork.git'] });
 * // → { offline: true, source: 'auto', reason: 'the GitHub API URL is loopback and the remotes are local' }
 */
export function resolveOfflineMode(input: OfflineModeInput): OfflineMode {
  if (input.flag === true) return { offline: true, source: 'flag', reason: '--offline' };
  const word = (input.env[OFFLINE_ENV] ?? '').trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return { offline: true, source: 'env', reason: `${OFFLINE_ENV}=${word}` };
  if (FALSE_WORDS.has(word)) return { offline: false, reason: `${OFFLINE_ENV}=${word}` };
  if (input.policy === true) return { offline: true, source: 'policy', reason: 'the policy file sets "offline": true' };
  const apiUrl = (input.githubApiUrl ?? input.env.GITHUB_API_URL ?? '').trim();
  if (!isLoopbackUrl(apiUrl)) return { offline: false, reason: apiUrl ? `the GitHub API URL ${apiUrl} is not loopback` : 'no loopback GITHUB_API_URL is set' };
  const remotes = (input.remotes ?? []).filter((r): r is string => typeof r === 'string' && r.trim() !== '');
  const distant = remotes.find((r) => !isLocalRemote(r));
  if (distant) return { offline: false, reason: `the remote ${distant.replace(/\/\/[^@/]*@/, '//***@')} is not a local path` };
  const why = remotes.length > 0 ? 'the GitHub API URL is loopback and the remotes are local' : 'the GitHub API URL is loopback';
  return { offline: true, source: 'auto', reason: why };
}
