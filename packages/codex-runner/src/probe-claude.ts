import { dirname } from 'node:path';
import { execa } from 'execa';
import { claudeCapabilitiesFrom, type ClaudeCapabilities } from './claude-capabilities.js';
import { nodeFileProbe } from './file-probe.js';
import { memoryProbeCache, type ProbeCodexOptions } from './probe-codex.js';

/** The result of {@link probeClaude}. */
export type ProbeClaudeResult = { ok: true; capabilities: ClaudeCapabilities; cached: boolean } | { ok: false; reason: string };

/**
 * Options of {@link probeClaude}: the same as codex's probe. From `env` only `PATH`, `HOME`, `LANG` and
 * `CLAUDE_CONFIG_DIR` are passed on, plus the engine's quiet switches: never a model key.
 */
export type ProbeClaudeOptions = ProbeCodexOptions;

/** Set on the probe so `--version`/`--help` never phone home nor update themselves. */
const PROBE_FIXED_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
};

/** A cached entry as read back from a probe cache (a JSON file is outside input): only a well-formed one counts. */
function asCapabilities(value: unknown): ClaudeCapabilities | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.version !== 'string' || typeof v.versionText !== 'string' || v.streamJson !== true || v.settingSources !== true) return undefined;
  return { version: v.version, versionText: v.versionText, streamJson: true, settingSources: true };
}

/**
 * Reads `claude --version` and `claude --help` once per binary (cached by path and modification time under a
 * `claude:` key, in the same caches as codex's probe, e.g. `fileProbeCache`) and derives its capabilities. Runs with
 * stdin closed, a timeout (default 15 s), and an environment without secrets. Never throws.
 * @example
 * const probe = await probeClaude(bin.path, { env: prepared.env, cache: fileProbeCache(join(dataDir, 'probe-cache.json')) });
 * if (!probe.ok) return fail(probe.reason);
 */
export async function probeClaude(bin: string, options: ProbeClaudeOptions = {}): Promise<ProbeClaudeResult> {
  const fs = options.fs ?? nodeFileProbe;
  // Claude's entries have their own keys in the shared cache and are checked on the way out (asCapabilities).
  const cache = options.cache ?? memoryProbeCache;
  const mtime = fs.mtimeMs(bin);
  if (mtime === null) return { ok: false, reason: `claude binary ${bin} does not exist.` };
  const key = `claude:${bin}@${mtime}`;
  const hit = asCapabilities(cache.get(key));
  if (hit) return { ok: true, capabilities: hit, cached: true };

  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'CLAUDE_CONFIG_DIR']) {
    const value = options.env?.[name];
    if (value) env[name] = value;
  }
  Object.assign(env, PROBE_FIXED_ENV);
  const run = (args: string[]) =>
    execa(bin, args, { env, extendEnv: false, timeout: options.timeoutMs ?? 15_000, reject: false, stdin: 'ignore', cwd: dirname(bin) });

  const version = await run(['--version']);
  if (version.failed) return { ok: false, reason: `\`${bin} --version\` failed (${why(version)}); check that it is a working claude binary.` };
  const help = await run(['--help']);
  if (help.failed) return { ok: false, reason: `\`${bin} --help\` failed (${why(help)}); check that it is a working claude binary.` };
  const result = claudeCapabilitiesFrom(String(version.stdout), `${String(help.stdout)}\n${String(help.stderr)}`);
  if (!result.ok) return { ok: false, reason: result.reason };
  cache.set(key, result.capabilities);
  return { ok: true, capabilities: result.capabilities, cached: false };
}

function why(run: { timedOut?: boolean; stderr?: unknown; stdout?: unknown; shortMessage?: string }): string {
  if (run.timedOut) return 'timed out';
  return (String(run.stderr || run.stdout || run.shortMessage).trim().split('\n')[0] ?? '').slice(0, 200);
}
