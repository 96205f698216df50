/**
 * HARD failure patterns (case-insensitive), plus additions for configuration errors codex reports
 * (`Missing environment variable`, invalid API keys, exhausted quota, CLI usage errors).
 */
export const HARD_FAILURE_PATTERNS: readonly RegExp[] = [
  /\bpermission denied\b/i,
  /\boperation not permitted\b/i,
  /\bread-only file system\b/i,
  /\bauthentication failed\b/i,
  /\bunauthorized\b/i,
  /\bforbidden\b/i,
  /\bnot a git repository\b/i,
  /\brepository not found\b/i,
  /\bcommand not found\b/i,
  /\bno such file or directory\b/i,
  /\bindex\.lock\b/i,
  // additions
  /\bmissing environment variable\b/i,
  /\b(?:invalid|incorrect) api key\b/i,
  /\binsufficient[_ ]quota\b/i,
  /\bunexpected argument\b/i,
];

/**
 * RETRYABLE failure patterns (case-insensitive), plus additions for the transient errors codex
 * 0.169.0 prints: "high demand, which may cause temporary errors", "stream disconnected before completion",
 * "Reconnecting…", and socket error codes.
 */
export const RETRYABLE_FAILURE_PATTERNS: readonly RegExp[] = [
  /\btimed out\b/i,
  /\btimeout\b/i,
  /\btemporary failure\b/i,
  /\btemporarily unavailable\b/i,
  /\bconnection reset\b/i,
  /\bconnection aborted\b/i,
  /\bconnection refused\b/i,
  /\bcould not resolve host\b/i,
  /\bnetwork is unreachable\b/i,
  /\brate limit\b/i,
  /\btoo many requests\b/i,
  /\bhttp 429\b/i,
  /\bhttp 5\d\d\b/i,
  /\bservice unavailable\b/i,
  // additions
  /\btemporary errors?\b/i,
  /\bhigh demand\b/i,
  /\boverloaded\b/i,
  /\bstream disconnected\b/i,
  /\breconnecting\b/i,
  /\binternal server error\b/i,
  /\bbad gateway\b/i,
  /\bgateway timeout\b/i,
  /\b(?:econnreset|etimedout|eai_again|econnrefused)\b/i,
];

/** The first pattern of `patterns` that matches `text`, with the matching line, or undefined. */
export function firstMatch(text: string, patterns: readonly RegExp[]): { pattern: string; line: string } | undefined {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) {
      const start = text.lastIndexOf('\n', m.index) + 1;
      let end = text.indexOf('\n', m.index);
      if (end < 0) end = text.length;
      const line = text.slice(start, end).trim();
      return { pattern: p.source, line: line.length > 300 ? `${line.slice(0, 300)}…` : line };
    }
  }
  return undefined;
}
