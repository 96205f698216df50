import { describe, expect, it } from 'vitest';
import { BUILTIN_RUNTIME_ENV_TEMPLATES, RUNTIME_ENV_DIRECTORY_KEYS, expandTemplate, loadRuntimeEnvOverrides, parseRuntimeEnvOverrides, resolveRuntimeEnv, runtimeDirsFor } from './runtime-env.js';

describe('runtime env templates', () => {
  it('has the 28 built-ins and 24 directory keys', () => {
    expect(Object.keys(BUILTIN_RUNTIME_ENV_TEMPLATES)).toHaveLength(28);
    expect(RUNTIME_ENV_DIRECTORY_KEYS).toHaveLength(24);
    expect(RUNTIME_ENV_DIRECTORY_KEYS).not.toContain('COVERAGE_FILE');
  });

  it('expands placeholders and {{ }} escapes', () => {
    const dirs = runtimeDirsFor('/ws/');
    expect(dirs).toEqual({ repo_dir: '/ws', runtime_dir: '/ws/.agentpr_runtime', cache_dir: '/ws/.agentpr_runtime/cache', data_dir: '/ws/.agentpr_runtime/data', tmp_dir: '/ws/.agentpr_runtime/tmp' });
    expect(expandTemplate('X', '{cache_dir}/pip {{literal}} }}', dirs)).toEqual({ ok: true, value: '/ws/.agentpr_runtime/cache/pip {literal} }' });
  });

  it('an unknown placeholder or a lone brace names the variable and the token', () => {
    expect(expandTemplate('PIP_CACHE_DIR', '{home}/pip', runtimeDirsFor('/ws'))).toEqual({
      ok: false,
      error: { variable: 'PIP_CACHE_DIR', token: '{home}', message: 'PIP_CACHE_DIR: unknown placeholder {home}; use one of {repo_dir}, {runtime_dir}, {cache_dir}, {data_dir}, {tmp_dir} or {{ }} for literal braces' },
    });
    expect(expandTemplate('A', 'x{cache_dir', runtimeDirsFor('/ws'))).toMatchObject({ ok: false, error: { token: '{cache_dir' } });
    expect(expandTemplate('A', 'x}', runtimeDirsFor('/ws'))).toMatchObject({ ok: false, error: { token: '}' } });
  });

  it('resolveRuntimeEnv merges overrides, creates only built-in dirs and the COVERAGE_FILE parent', () => {
    const r = resolveRuntimeEnv('/ws', { PIP_CACHE_DIR: '{tmp_dir}/pip', MY_TOOL_HOME: '{runtime_dir}/tool' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.env.PIP_CACHE_DIR).toBe('/ws/.agentpr_runtime/tmp/pip');
    expect(r.value.env.MY_TOOL_HOME).toBe('/ws/.agentpr_runtime/tool');
    expect(r.value.env.COVERAGE_FILE).toBe('/ws/.agentpr_runtime/coverage/.coverage');
    expect(r.value.directories).toContain('/ws/.agentpr_runtime/tmp/pip');
    expect(r.value.directories).toContain('/ws/.agentpr_runtime/coverage');
    expect(r.value.directories).not.toContain('/ws/.agentpr_runtime/tool');
    expect(r.value.directories).not.toContain('1');
    expect(r.value.overrideKeys).toEqual(['MY_TOOL_HOME', 'PIP_CACHE_DIR']);
  });
});

describe('parseRuntimeEnvOverrides / loadRuntimeEnvOverrides', () => {
  it('requires an object of string keys and string values', () => {
    expect(parseRuntimeEnvOverrides({ A: 1 })).toEqual({ ok: false, issues: ['A: must be a string (got 1)'] });
    expect(parseRuntimeEnvOverrides(['x'])).toEqual({ ok: false, issues: ['(top level): must be a JSON object whose keys and values are strings (got ["x"])'] });
    expect(parseRuntimeEnvOverrides({ 'bad-name': 'x' }).ok).toBe(false);
    expect(parseRuntimeEnvOverrides({ A: '{nope}' })).toEqual({ ok: false, issues: ['A: unknown placeholder {nope}; use one of {repo_dir}, {runtime_dir}, {cache_dir}, {data_dir}, {tmp_dir} or {{ }} for literal braces'] });
  });

  it('missing file → no overrides; bad JSON → invalid_json; bad values → invalid_env_overrides naming the file', async () => {
    expect(await loadRuntimeEnvOverrides('/o.json', async () => undefined)).toEqual({ ok: true, overrides: {}, loaded: false, path: '/o.json' });
    const j = await loadRuntimeEnvOverrides('/o.json', async () => '{');
    expect(j.ok ? null : [j.error.code, j.error.message.startsWith('invalid JSON: /o.json: ')]).toEqual(['invalid_json', true]);
    const v = await loadRuntimeEnvOverrides('/o.json', async () => '{"A": {"b": 1}}');
    expect(v.ok ? null : [v.error.code, v.error.message]).toEqual(['invalid_env_overrides', '/o.json: A: must be a string (got {"b":1})']);
  });
});
