import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What kind of project a repository is, and which tools it needs. */
export interface ProjectDetection {
  uses_python: boolean;
  /** Sorted: rye, poetry, hatch, uv, tox as found. */
  python_tools: string[];
  uses_js: boolean;
  /** Sorted: the package manager and `node` when package.json exists. */
  js_tools: string[];
  uses_bun: boolean;
}

const PYTHON_MARKERS = ['pyproject.toml', 'requirements.txt', 'requirements-dev.txt', 'setup.py'];
const JS_MARKERS = ['package.json', 'bun.lock', 'pnpm-lock.yaml', 'yarn.lock', 'package-lock.json', 'npm-shrinkwrap.json'];
const PYPROJECT_TOOLS = ['rye', 'poetry', 'hatch', 'uv', 'tox'];

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Detects Python and JavaScript projects and their tools from marker files: `[tool.<name>]` tables in
 * pyproject.toml, tox.ini/.tox, poetry.lock; the JS package manager from the lockfile, else from
 * `packageManager` in package.json, else npm. An unreadable or unparseable file counts as empty.
 */
export async function detectProject(repoDir: string): Promise<ProjectDetection> {
  const has = async (name: string) => exists(join(repoDir, name));
  const usesPython = (await Promise.all(PYTHON_MARKERS.map(has))).some(Boolean);
  const usesJs = (await Promise.all(JS_MARKERS.map(has))).some(Boolean);

  const python = new Set<string>();
  const pyproject = await readFile(join(repoDir, 'pyproject.toml'), 'utf8').catch(() => '');
  for (const line of pyproject.split('\n')) {
    // A table header `[tool.poetry]` or `[tool.poetry.dependencies]` (also `[[tool.x.y]]`).
    const match = /^\s*\[\[?\s*tool\.("?)([A-Za-z0-9_-]+)\1\s*[.\]]/.exec(line);
    if (match && PYPROJECT_TOOLS.includes(match[2]!)) python.add(match[2]!);
  }
  if ((await has('tox.ini')) || (await has('.tox'))) python.add('tox');
  if (await has('poetry.lock')) python.add('poetry');

  const js = new Set<string>();
  if (usesJs) {
    let manager: string | undefined;
    if (await has('bun.lock')) manager = 'bun';
    else if (await has('pnpm-lock.yaml')) manager = 'pnpm';
    else if (await has('yarn.lock')) manager = 'yarn';
    else if ((await has('package-lock.json')) || (await has('npm-shrinkwrap.json'))) manager = 'npm';
    const hasPackageJson = await has('package.json');
    if (manager === undefined) {
      manager = 'npm';
      try {
        const pkg = JSON.parse(await readFile(join(repoDir, 'package.json'), 'utf8')) as { packageManager?: unknown };
        const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager : '';
        const prefix = ['bun', 'pnpm', 'yarn', 'npm'].find((name) => declared.startsWith(`${name}@`));
        if (prefix) manager = prefix;
      } catch {
        // unreadable package.json: npm
      }
    }
    js.add(manager);
    if (hasPackageJson) js.add('node');
  }
  return {
    uses_python: usesPython,
    python_tools: [...python].sort(),
    uses_js: usesJs,
    js_tools: [...js].sort(),
    uses_bun: js.has('bun'),
  };
}
