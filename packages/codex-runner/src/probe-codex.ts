import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { capabilitiesFromHelp, capabilitiesFromVersion, type CodexCapabilities } from './codex-capabilities.js';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** The result of {@link probeCodex}. */
export type ProbeCodexResult = { ok: true; capabilities: CodexCapabilities; cached: boolean } | { ok: false; reason: string };

/**
 * A cache of probe results keyed by engine, binary path and modification time. It keeps whatever JSON each engine
 * stores; every engine checks the shape of what it reads back (a cache file is outside input).
 */
export interface ProbeCache {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** The probe cache codex's probe uses (the same cache as every engine's). */
export type CodexProbeCache = ProbeCache;

const JSON_FLAGS: readonly string[] = ['--json', '--experimental-json'];

/** A cached codex entry as read back: only a well-formed one counts. */
function asCodexCapabilities(value: unknown): CodexCapabilities | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const flags = [v.hasFullAuto, v.hasSandboxFlag, v.hasShortLastMessageFlag];
  if ((v.version !== null && typeof v.version !== 'string') || typeof v.versionText !== 'string' || typeof v.streamFormat !== 'string') return undefined;
  if (!JSON_FLAGS.includes(v.jsonFlag as string) || flags.some((f) => typeof f !== 'boolean')) return undefined;
  return value as CodexCapabilities;
}

/** Options of {@link probeCodex}. */
export interface ProbeCodexOptions {
  /**
   * Environment for the probe. Only `PATH`, `HOME` and `CODEX_HOME` are passed on. Set `CODEX_HOME`: without it even
   * `codex --version` writes under `~/.codex`.
   */
  env?: Record<string, string | undefined>;
  /** Per-command timeout in ms. Default 15 000. */
  timeoutMs?: number;
  /** Where results are cached. Default: a process-wide in-memory cache. */
  cache?: CodexProbeCache;
  fs?: FileProbe;
}

const memory = new Map<string, unknown>();

/** The process-wide in-memory probe cache used by default. */
export const memoryProbeCache: CodexProbeCache = {
  get: (key) => memory.get(key),
  set: (key, value) => void memory.set(key, value),
};

/**
 * A probe cache persisted as one JSON file, so separate CLI invocations skip the ~300 ms `codex --version` of the npm
 * launcher. Unreadable or corrupt files count as empty; write failures are ignored.
 */
export function fileProbeCache(path: string): CodexProbeCache {
  const load = (): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  return {
    get: (key) => load()[key],
    set: (key, value) => {
      try {
        const all = { ...load(), [key]: value };
        mkdirSync(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
        renameSync(tmp, path);
      } catch {
        // a cache that cannot be written only costs the next invocation a probe
      }
    },
  };
}

/**
 * Reads `codex --version` once per binary (cached by path and modification time) and derives its capabilities.
 * When the version text holds no version number, it asks `codex exec --help` instead. Never throws.
 * @example
 * const probe = await probeCodex(bin.path, { env: { PATH, CODEX_HOME } });
 * if (!probe.ok) return fail(probe.reason);
 */
export async function probeCodex(bin: string, options: ProbeCodexOptions = {}): Promise<ProbeCodexResult> {
  const fs = options.fs ?? nodeFileProbe;
  const cache = options.cache ?? memoryProbeCache;
  const mtime = fs.mtimeMs(bin);
  if (mtime === null) return { ok: false, reason: `codex binary ${bin} does not exist.` };
  const key = `${bin}@${mtime}`;
  const hit = asCodexCapabilities(cache.get(key));
  if (hit) return { ok: true, capabilities: hit, cached: true };

  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'CODEX_HOME']) {
    const value = options.env?.[name];
    if (value) env[name] = value;
  }
  const run = (args: string[]) =>
    execa(bin, args, { env, extendEnv: false, timeout: options.timeoutMs ?? 15_000, reject: false, stdin: 'ignore', cwd: dirname(bin) });

  const version = await run(['--version']);
  if (version.failed) {
    const why = version.timedOut ? 'timed out' : (String(version.stderr || version.stdout || version.shortMessage).trim().split('\n')[0] ?? '');
    return { ok: false, reason: `\`${bin} --version\` failed (${why}); check that it is a working codex binary.` };
  }
  let result = capabilitiesFromVersion(String(version.stdout));
  if (!result.ok && result.unparsable) {
    const help = await run(['exec', '--help']);
    result = capabilitiesFromHelp(String(version.stdout), `${String(help.stdout)}\n${String(help.stderr)}`);
  }
  if (!result.ok) return { ok: false, reason: result.reason };
  cache.set(key, result.capabilities);
  return { ok: true, capabilities: result.capabilities, cached: false };
}
