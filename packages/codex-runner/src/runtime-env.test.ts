import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { createRuntimeDirectories, renderRuntimeEnv, RUNTIME_ENV_TEMPLATES, RUNTIME_PATH_KEYS, runtimePaths } from './runtime-env.js';

afterAll(() => cleanupTempDirs());

const paths = runtimePaths('/w');

describe('runtime environment templates', () => {
  it('RUNTIME_ENV_TEMPLATES has the 28 built-ins, 24 of them path keys', () => {
    expect(Object.keys(RUNTIME_ENV_TEMPLATES)).toHaveLength(28);
    expect(RUNTIME_PATH_KEYS).toHaveLength(24);
    expect(RUNTIME_PATH_KEYS).not.toContain('COVERAGE_FILE');
    expect(RUNTIME_PATH_KEYS).not.toContain('PIP_REQUIRE_VIRTUALENV');
  });

  it('renderRuntimeEnv renders every built-in inside the workspace', () => {
    const result = renderRuntimeEnv(RUNTIME_ENV_TEMPLATES, paths);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env).toMatchObject({
      AGENTPR_RUNTIME_DIR: '/w/.agentpr_runtime',
      AGENTPR_WORKSPACE_DIR: '/w',
      TMPDIR: '/w/.agentpr_runtime/tmp',
      NPM_CONFIG_CACHE: '/w/.agentpr_runtime/cache/npm',
      POETRY_DATA_DIR: '/w/.agentpr_runtime/data/poetry',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      COVERAGE_FILE: '/w/.agentpr_runtime/coverage/.coverage',
    });
  });

  it('renderRuntimeEnv turns {{ and }} into literal braces', () => {
    const result = renderRuntimeEnv({ X: '{{literal}}-{repo_dir}' }, paths);
    expect(result).toEqual({ ok: true, env: { X: '{literal}-/w' } });
  });

  it('renderRuntimeEnv with an unknown placeholder names the variable and the token', () => {
    const result = renderRuntimeEnv({ GOOD: '{tmp_dir}', BAD: '{home_dir}/x', ALSO_BAD: 'a}b', OPEN: '{repo_dir' }, paths);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(3);
    expect(result.errors[0]).toMatch(/^runtime env BAD: unknown placeholder \{home_dir\}; use one of \{repo_dir\}/);
    expect(result.errors[1]).toMatch(/^runtime env ALSO_BAD: lone "\}"/);
    expect(result.errors[2]).toMatch(/^runtime env OPEN: unclosed "\{"/);
  });

  it('createRuntimeDirectories makes the path keys and the COVERAGE_FILE parent, never override-only keys', () => {
    const repo = tempDir('agentpr-runtime-');
    const p = runtimePaths(repo);
    const templates = { ...RUNTIME_ENV_TEMPLATES, EXTRA_DIR: '{runtime_dir}/extra' };
    const result = renderRuntimeEnv(templates, p);
    if (!result.ok) throw new Error(result.errors.join());
    createRuntimeDirectories(p, result.env);
    for (const key of RUNTIME_PATH_KEYS) expect(statSync(result.env[key]!).isDirectory()).toBe(true);
    expect(statSync(join(p.runtimeDir, 'coverage')).isDirectory()).toBe(true);
    expect(existsSync(join(p.runtimeDir, 'coverage', '.coverage'))).toBe(false);
    expect(existsSync(p.homeDir)).toBe(true);
    expect(existsSync(join(p.runtimeDir, 'extra'))).toBe(false);
  });
});
