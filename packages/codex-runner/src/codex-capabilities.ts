/** The JSONL dialect a codex version writes with its JSON flag. */
export type CodexStreamFormat = 'current' | 'intermediate' | 'legacy';

/** What a codex version can do, as far as building its command line is concerned. */
export interface CodexCapabilities {
  /** `"0.169.0"`, or null when the version text could not be parsed (then the flags came from `exec --help`). */
  version: string | null;
  /** The raw first line of `codex --version`. */
  versionText: string;
  /** The flag that turns on JSONL events. */
  jsonFlag: '--json' | '--experimental-json';
  /** The stream dialect that flag produces, a hint for the stream parser. */
  streamFormat: CodexStreamFormat;
  /** Whether `--full-auto` still exists. Informational only: it is never passed. */
  hasFullAuto: boolean;
  /** Whether `--sandbox <mode>` is accepted. */
  hasSandboxFlag: boolean;
  /** Whether the short `-o` alias of `--output-last-message` exists. The long form is always used. */
  hasShortLastMessageFlag: boolean;
}

/** The oldest codex whose JSON output agentpr can read (the legacy 0.42 JSON dump). */
export const MIN_CODEX_VERSION = '0.42.0';

/** The result of {@link capabilitiesFromVersion}. */
export type CapabilitiesResult =
  | { ok: true; capabilities: CodexCapabilities }
  /** `unparsable`: the text held no version number, so `exec --help` may still tell. */
  | { ok: false; reason: string; unparsable: boolean };

/** Parses `codex-cli 0.169.0` (or a bare `0.169.0`) into `[0, 169, 0]`; null if there is no version number. */
export function parseCodexVersion(text: string): [number, number, number] | null {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return null;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Compares two `[major, minor, patch]` tuples like `a - b`. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Derives the capabilities of a codex version from its `--version` text. 0.42–0.43 get `--experimental-json` (the
 * item-based intermediate format) because their `--json` was the legacy protocol dump; 0.44+ get `--json`. Versions
 * older than 0.42 are refused. Returns `{ok: false}` when the text holds no version (ask `exec --help` instead).
 * @example capabilitiesFromVersion('codex-cli 0.169.0') // jsonFlag '--json', hasFullAuto false
 */
export function capabilitiesFromVersion(versionText: string): CapabilitiesResult {
  const firstLine = versionText.trim().split('\n')[0]?.trim() ?? '';
  const parsed = parseCodexVersion(firstLine);
  if (!parsed) return { ok: false, unparsable: true, reason: `cannot read a version number from \`codex --version\` output "${firstLine}"` };
  const version = parsed.join('.');
  if (compareVersions(parsed, [0, 42, 0]) < 0) {
    return {
      ok: false,
      unparsable: false,
      reason: `codex ${version} is older than ${MIN_CODEX_VERSION} and has no usable \`exec --json\`; upgrade it (npm i -g @openai/codex).`,
    };
  }
  const intermediate = compareVersions(parsed, [0, 44, 0]) < 0;
  return {
    ok: true,
    capabilities: {
      version,
      versionText: firstLine,
      jsonFlag: intermediate ? '--experimental-json' : '--json',
      streamFormat: intermediate ? 'intermediate' : 'current',
      hasFullAuto: compareVersions(parsed, [0, 169, 0]) < 0,
      hasSandboxFlag: true,
      hasShortLastMessageFlag: compareVersions(parsed, [0, 169, 0]) >= 0,
    },
  };
}

/**
 * Derives capabilities from `codex exec --help` text, for binaries whose `--version` is not a plain version (wrappers).
 * Refuses a codex whose `exec` has neither `--json` nor `--experimental-json`.
 */
export function capabilitiesFromHelp(versionText: string, helpText: string): CapabilitiesResult {
  const hasJson = /(^|[\s,])--json\b/m.test(helpText);
  const hasExperimental = /--experimental-json\b/.test(helpText);
  if (!hasJson && !hasExperimental) {
    return { ok: false, unparsable: false, reason: 'this codex has no `exec --json` flag, so its events cannot be read; upgrade it (npm i -g @openai/codex).' };
  }
  return {
    ok: true,
    capabilities: {
      version: null,
      versionText: versionText.trim().split('\n')[0]?.trim() ?? '',
      jsonFlag: hasJson ? '--json' : '--experimental-json',
      streamFormat: hasJson ? 'current' : 'intermediate',
      hasFullAuto: /--full-auto\b/.test(helpText),
      hasSandboxFlag: /--sandbox\b/.test(helpText),
      hasShortLastMessageFlag: /(^|\s)-o,\s*--output-last-message\b/m.test(helpText),
    },
  };
}
