import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tempDir } from '../temp-dir.js';

/** What {@link scriptedCodex} gives a test: the binary for `AGENTPR_CODEX_BIN` and the variables codex needs. */
export interface ScriptedCodex {
  /** The scripted codex (`scripted-codex/codex.mjs`), executable. */
  bin: string;
  /** `AGENTPR_CODEX_BIN`, a throwaway `CODEX_HOME` and a dummy `OPENAI_API_KEY`: add them to the agentpr process's env. */
  env: Record<string, string>;
}

/**
 * The path of the scripted codex: a node script that answers `--version` as codex-cli 0.169.0 and `exec --json` with a
 * deterministic change (one numbered line appended to `src/scripted-change.js`), an `npm test` reported as passing
 * (not run) and `Status: PASS`, in well under a second and without a model. `SCRIPTED_CODEX_MODE=hang|fail` (through
 * the policy's `env_passthrough`) or a `scripted-codex: hang` prompt line changes what it does.
 */
export function scriptedCodexPath(): string {
  // Through the package root, so the path is the same from the sources and from dist.
  const root = dirname(createRequire(import.meta.url).resolve('@agentpr/testing/package.json'));
  const bin = join(root, 'src', 'scripted-codex', 'codex.mjs');
  // A checkout may lose the executable bit (an archive, a copy); codex binaries must be executable.
  if ((statSync(bin).mode & 0o111) === 0) chmodSync(bin, 0o755);
  return bin;
}

/**
 * The scripted codex with a fresh codex home (a minimal config.toml, removed by `cleanupTempDirs`), so agent steps
 * read nothing from the operator's `~/.codex`.
 *
 * @example
 * const codex = scriptedCodex();
 * const env = { ...process.env, ...codex.env, AGENTPR_HOME: home };
 */
export function scriptedCodex(): ScriptedCodex {
  const home = tempDir('agentpr-scripted-codex-home-');
  writeFileSync(join(home, 'config.toml'), 'model = "gpt-5.5"\n');
  const bin = scriptedCodexPath();
  return { bin, env: { AGENTPR_CODEX_BIN: bin, CODEX_HOME: home, OPENAI_API_KEY: 'scripted-not-a-secret' } };
}
