// C0 and C1 controls (newline and tab kept where a block keeps lines), DEL, the line and paragraph separators and the
// bidi controls: shown as U+FFFD, so hostile text can neither reorder what is around it nor hide in it.
const CONTROLS_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The longest secret the redactor must see whole before the text is cut (tokens are far shorter). */
const REDACT_MARGIN = 8 * 1024;

/** How much of a text from a run is shown: one line (names, errors, evidence) or a block (digest, insight, messages). */
export interface ShownOptions {
  /** Characters (code points) kept; longer text ends in `…`. */
  max: number;
  /** Keep newlines and tabs (a `<pre>` block); default false: every control becomes U+FFFD. */
  block?: boolean;
}

/**
 * Text from a run (agent output, errors, names, evidence), made safe to show: secrets redacted by `redact` on the
 * text before it is cut (so a cut never leaves half a token), control and bidi characters replaced by U+FFFD, and
 * at most `max` code points kept. JSX still escapes the result; this only decides what is shown.
 *
 * @example
 * shown(deps.redact, message, { max: 500 }) // → '…the agent said: ghp_**** …'
 */
export function shown(redact: (text: string) => string, text: string | null | undefined, options: ShownOptions): string {
  if (!text) return '';
  const head = text.length > options.max * 2 + REDACT_MARGIN ? text.slice(0, options.max * 2 + REDACT_MARGIN) : text;
  const clean = redact(head).replace(options.block ? CONTROLS_BLOCK : CONTROLS_ONE_LINE, '\uFFFD');
  const points = Array.from(clean);
  const cut = points.length > options.max || head.length < text.length;
  return cut ? `${points.slice(0, Math.max(options.max - 1, 0)).join('')}…` : clean;
}

const GITHUB_NAME = /^[A-Za-z0-9_.-]+$/;

/** True for a name GitHub accepts as an owner (≤ 39) or repository (≤ 100): letters, digits, `_ . -`, not `.` or `..`. */
export function isGitHubName(name: string, maxLength: number): boolean {
  return name.length > 0 && name.length <= maxLength && GITHUB_NAME.test(name) && name !== '.' && name !== '..';
}

/**
 * The PR's page on GitHub, or null when the owner or repository is not a valid GitHub name or the number is not a
 * positive integer: the only link the dashboard builds from a run's data.
 */
export function githubPrUrl(owner: string, repo: string, prNumber: number | null): string | null {
  if (prNumber === null || !Number.isSafeInteger(prNumber) || prNumber < 1) return null;
  if (!isGitHubName(owner, 39) || !isGitHubName(repo, 100)) return null;
  return `https://github.com/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/pull/${prNumber}`;
}

/** The run page's path for a run id (one encoded path segment). */
export function runPath(runId: string): string {
  return `/runs/${encodeURIComponent(runId)}`;
}
