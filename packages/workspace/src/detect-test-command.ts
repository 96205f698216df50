import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readAgentFile } from './hostile-file.js';

/** The repository's own test command, as an argv, and where it was found. */
export interface DetectedTestCommand {
  argv: string[];
  /** What it was read from, e.g. `package.json scripts.test`, `go.mod`. */
  source: string;
}

/** The largest marker file read (package.json, pyproject.toml). */
const MAX_MARKER_BYTES = 256 * 1024;

/** npm's placeholder script: running it proves nothing. */
const NPM_PLACEHOLDER = /no test specified/i;

async function read(repoDir: string, name: string): Promise<string | null> {
  const file = await readAgentFile(join(repoDir, name), { maxBytes: MAX_MARKER_BYTES, within: repoDir });
  return file.ok && !file.truncated ? file.data.toString('utf8') : null;
}

/** A regular file (not a symlink) named `name` at the top of the repository; its size does not matter. */
async function has(repoDir: string, name: string): Promise<boolean> {
  try {
    return (await lstat(join(repoDir, name))).isFile();
  } catch {
    return false;
  }
}

async function jsTestCommand(repoDir: string): Promise<DetectedTestCommand | null> {
  const text = await read(repoDir, 'package.json');
  if (text === null) return null;
  let script: unknown;
  try {
    script = (JSON.parse(text) as { scripts?: { test?: unknown } }).scripts?.test;
  } catch {
    return null;
  }
  if (typeof script !== 'string' || script.trim() === '' || NPM_PLACEHOLDER.test(script)) return null;
  const manager = (await has(repoDir, 'pnpm-lock.yaml')) ? 'pnpm' : (await has(repoDir, 'yarn.lock')) ? 'yarn' : (await has(repoDir, 'bun.lock')) ? 'bun' : 'npm';
  return { argv: [manager, 'test'], source: 'package.json scripts.test' };
}

async function pythonTestCommand(repoDir: string): Promise<DetectedTestCommand | null> {
  const pyproject = await read(repoDir, 'pyproject.toml');
  if (pyproject !== null && /^\s*\[tool\.pytest\.ini_options\]/m.test(pyproject)) return { argv: ['python3', '-m', 'pytest'], source: 'pyproject.toml [tool.pytest.ini_options]' };
  for (const name of ['pytest.ini', 'conftest.py']) {
    if (await has(repoDir, name)) return { argv: ['python3', '-m', 'pytest'], source: name };
  }
  const setupCfg = await read(repoDir, 'setup.cfg');
  if (setupCfg !== null && /^\s*\[tool:pytest\]/m.test(setupCfg)) return { argv: ['python3', '-m', 'pytest'], source: 'setup.cfg [tool:pytest]' };
  return null;
}

/**
 * Finds how a repository runs its tests, from its own files: `package.json` `scripts.test` (run with the package
 * manager its lockfile names; npm's "no test specified" placeholder does not count), pytest configuration
 * (`pyproject.toml` `[tool.pytest.ini_options]`, `pytest.ini`, `conftest.py`, `setup.cfg` `[tool:pytest]`), `go.mod`
 * (`go test ./...`) and `Cargo.toml` (`cargo test`). The files are read as hostile input (no symlinks, capped). Null
 * when nothing says how.
 *
 * @example
 * await detectTestCommand('/ws/run_1') // → { argv: ['npm', 'test'], source: 'package.json scripts.test' }
 */
export async function detectTestCommand(repoDir: string): Promise<DetectedTestCommand | null> {
  const js = await jsTestCommand(repoDir);
  if (js) return js;
  const python = await pythonTestCommand(repoDir);
  if (python) return python;
  if (await has(repoDir, 'go.mod')) return { argv: ['go', 'test', './...'], source: 'go.mod' };
  if (await has(repoDir, 'Cargo.toml')) return { argv: ['cargo', 'test'], source: 'Cargo.toml' };
  return null;
}
