import { basename } from './shell-segments.js';
import type { TestKind } from './test-targets.js';

/** A Python interpreter name (`python`, `python3`, `python3.11`). */
export const PYTHON = /^python(\d+(\.\d+)*)?$/;

/** Skips options (and the values of `valueOptions`) from `start`; returns the index of the first operand. */
export function skipOptions(words: readonly string[], start: number, valueOptions: ReadonlySet<string>): number {
  let i = start;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') return i + 1;
    if (!w.startsWith('-') || w === '-') return i;
    i += valueOptions.has(w) ? 2 : 1;
  }
  return i;
}

const UV_RUN_VALUES = new Set(['--with', '--with-requirements', '--with-editable', '--python', '-p', '--extra', '--group', '--only-group', '--package', '--env-file', '--directory', '--project', '--index', '--index-url', '--extra-index-url', '--from']);
const CONDA_RUN_VALUES = new Set(['-n', '--name', '-p', '--prefix', '--cwd']);
const HATCH_GLOBAL_VALUES = new Set(['-e', '--env', '--data-dir', '--cache-dir', '--config', '-p', '--project']);
const NPX_VALUES = new Set(['-p', '--package', '-c', '--call']);

/** No value options. */
export const EMPTY = new Set<string>();

/** What {@link unwrapRunners} leaves: the runner-free words, and what the runner said. */
export interface Unwrapped {
  words: string[];
  /** A hatch script run as `hatch run [env:]<name>` whose name marks it as a test or lint script. */
  hatchScript?: { kind: TestKind; args: string[] };
  /** Directory change made by a runner option (`uv run --directory`, `conda run --cwd`). */
  chdir?: string;
}

/**
 * Runner unwrapping: `python -m X`, `uv run`, `uvx`, `poetry run`, `pipenv run`,
 * `pdm run`, `rye run`, `conda run`, `hatch run [env:]X`, `npx`, `bunx`, `pnpm exec|dlx`, `yarn dlx|exec`,
 * `npm exec`.
 */
export function unwrapRunners(input: readonly string[]): Unwrapped {
  let w = [...input];
  let chdir: string | undefined;
  for (let guard = 0; guard < 4 && w.length > 0; guard++) {
    const p = basename(w[0]!);
    if (PYTHON.test(p) || p === 'py') {
      let i = 1;
      while (i < w.length && w[i]!.startsWith('-') && w[i] !== '-m' && w[i] !== '-c' && !w[i]!.startsWith('-m')) i += w[i] === '-X' || w[i] === '-W' ? 2 : 1;
      const o = w[i];
      if (o === '-m' && w[i + 1]) {
        w = w.slice(i + 1);
        continue;
      }
      if (o !== undefined && o.startsWith('-m') && o.length > 2) {
        w = [o.slice(2), ...w.slice(i + 1)];
        continue;
      }
      break;
    }
    const sub = w[1];
    if (p === 'uv' && sub === 'run') {
      const dirIdx = w.indexOf('--directory');
      if (dirIdx > 1 && w[dirIdx + 1]) chdir = w[dirIdx + 1];
      w = w.slice(skipOptions(w, 2, UV_RUN_VALUES));
      continue;
    }
    if (p === 'uv' && sub === 'tool' && w[2] === 'run') {
      w = w.slice(skipOptions(w, 3, UV_RUN_VALUES));
      continue;
    }
    if (p === 'uvx' || p === 'pipx') {
      const start = p === 'pipx' ? (sub === 'run' ? 2 : -1) : 1;
      if (start < 0) break;
      w = w.slice(skipOptions(w, start, UV_RUN_VALUES));
      continue;
    }
    if ((p === 'poetry' || p === 'pipenv' || p === 'pdm' || p === 'rye') && sub === 'run') {
      w = w.slice(skipOptions(w, 2, EMPTY));
      continue;
    }
    if ((p === 'conda' || p === 'mamba' || p === 'micromamba') && sub === 'run') {
      const cwdIdx = w.indexOf('--cwd');
      if (cwdIdx > 1 && w[cwdIdx + 1]) chdir = w[cwdIdx + 1];
      w = w.slice(skipOptions(w, 2, CONDA_RUN_VALUES));
      continue;
    }
    if (p === 'hatch') {
      const runIdx = skipOptions(w, 1, HATCH_GLOBAL_VALUES);
      if (w[runIdx] !== 'run') break;
      const scriptIdx = skipOptions(w, runIdx + 1, EMPTY);
      const raw = w[scriptIdx];
      if (raw === undefined) break;
      const colon = raw.indexOf(':');
      const script = colon >= 0 ? raw.slice(colon + 1) : raw;
      const args = w.slice(scriptIdx + 1);
      if (/^test/i.test(script)) return { words: ['hatch', 'run', raw, ...args], hatchScript: { kind: 'test', args }, ...(chdir ? { chdir } : {}) };
      if (/^lint/i.test(script)) return { words: ['hatch', 'run', raw, ...args], hatchScript: { kind: 'lint', args }, ...(chdir ? { chdir } : {}) };
      w = [script, ...args];
      continue;
    }
    if (p === 'npx' || p === 'bunx' || p === 'pnpx') {
      w = w.slice(skipOptions(w, 1, NPX_VALUES));
      continue;
    }
    if ((p === 'pnpm' && (sub === 'exec' || sub === 'dlx')) || (p === 'yarn' && (sub === 'dlx' || sub === 'exec')) || (p === 'npm' && sub === 'exec')) {
      w = w.slice(skipOptions(w, 2, NPX_VALUES));
      continue;
    }
    break;
  }
  return chdir ? { words: w, chdir } : { words: w };
}
