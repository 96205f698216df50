import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { detectProject } from './detect-project.js';

afterEach(() => cleanupTempDirs());

function repo(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(dir, path));
    else writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('detectProject', () => {
  it('detectProject on an empty directory finds no project', async () => {
    expect(await detectProject(repo({}))).toEqual({ uses_python: false, python_tools: [], uses_js: false, js_tools: [], uses_bun: false });
  });

  it('detectProject reads [tool.*] tables of pyproject.toml, tox markers and poetry.lock, sorted', async () => {
    const dir = repo({ 'pyproject.toml': '[tool.uv]\ndev = []\n[tool.hatch.envs.default]\n[tool.ruff]\n[[tool.rye.sources]]\n', '.tox/': '', 'poetry.lock': '' });
    expect(await detectProject(dir)).toMatchObject({ uses_python: true, python_tools: ['hatch', 'poetry', 'rye', 'tox', 'uv'] });
  });

  it('detectProject treats requirements.txt alone as a Python project with no tools', async () => {
    expect(await detectProject(repo({ 'requirements.txt': 'x\n' }))).toMatchObject({ uses_python: true, python_tools: [] });
  });

  it.each([
    [{ 'package.json': '{}', 'bun.lock': '' }, ['bun', 'node'], true],
    [{ 'package.json': '{}', 'pnpm-lock.yaml': '', 'yarn.lock': '' }, ['node', 'pnpm'], false],
    [{ 'package.json': '{}', 'yarn.lock': '' }, ['node', 'yarn'], false],
    [{ 'package.json': '{}', 'npm-shrinkwrap.json': '' }, ['node', 'npm'], false],
    [{ 'package.json': '{"packageManager":"pnpm@9.1.0"}' }, ['node', 'pnpm'], false],
    [{ 'package.json': '{"packageManager":"bun@1.1"}' }, ['bun', 'node'], true],
    [{ 'package.json': 'not json' }, ['node', 'npm'], false],
    [{ 'yarn.lock': '' }, ['yarn'], false],
    [{ 'package.json': '{}', 'bun.lockb': '' }, ['node', 'npm'], false],
  ])('detectProject picks the JS tools of %j', async (files, tools, bun) => {
    expect(await detectProject(repo(files))).toMatchObject({ uses_js: true, js_tools: tools, uses_bun: bun });
  });
});
