import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { prepareAgentEnvironment, removeStaleLastMessage } from './prepare-agent-environment.js';
import { runtimePaths } from './runtime-env.js';

afterAll(() => cleanupTempDirs());

describe('runtimePaths', () => {
  it('runtimePaths lays out .agentpr_runtime inside the workspace', () => {
    expect(runtimePaths('/w')).toEqual({
      repoDir: '/w',
      runtimeDir: '/w/.agentpr_runtime',
      cacheDir: '/w/.agentpr_runtime/cache',
      dataDir: '/w/.agentpr_runtime/data',
      tmpDir: '/w/.agentpr_runtime/tmp',
      homeDir: '/w/.agentpr_runtime/home',
      lastMessagePath: '/w/.agentpr_runtime/codex_last_message.txt',
    });
  });
});

describe('prepareAgentEnvironment', () => {
  it('prepareAgentEnvironment renders the templates, creates the path dirs and home, and builds the allowlisted env', () => {
    const repo = tempDir('agentpr-prepare-');
    const codexHome = tempDir('agentpr-prepare-home-');
    writeFileSync(join(codexHome, 'config.toml'), 'model_provider = "p"\n[model_providers.p]\nenv_key = "P_KEY"\n');
    const result = prepareAgentEnvironment({
      parentEnv: { PATH: '/bin', P_KEY: 'k', AGENTPR_TELEGRAM_BOT_TOKEN: 't' },
      repoDir: repo,
      codexHome,
      providerEnvAllowlist: ['P_KEY'],
      overrides: { EXTRA_DIR: '{runtime_dir}/extra', NPM_CONFIG_CACHE: '{cache_dir}/npm2' },
    });
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.providerEnvKeys).toEqual(['P_KEY']);
    expect(result.env).toMatchObject({ PATH: '/bin', P_KEY: 'k', CODEX_HOME: codexHome, HOME: join(repo, '.agentpr_runtime', 'home'), TMPDIR: join(repo, '.agentpr_runtime', 'tmp') });
    expect(result.env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(result.overrideKeys).toEqual(['EXTRA_DIR', 'NPM_CONFIG_CACHE']);
    expect(statSync(join(repo, '.agentpr_runtime', 'cache', 'npm2')).isDirectory()).toBe(true);
    expect(statSync(join(repo, '.agentpr_runtime', 'home')).isDirectory()).toBe(true);
    expect(statSync(join(repo, '.agentpr_runtime', 'coverage')).isDirectory()).toBe(true);
    expect(existsSync(join(repo, '.agentpr_runtime', 'extra'))).toBe(false);
  });

  it('prepareAgentEnvironment with a bad override template returns the error and creates nothing', () => {
    const repo = tempDir('agentpr-prepare-bad-');
    const result = prepareAgentEnvironment({ parentEnv: {}, repoDir: repo, codexHome: '/none', overrides: { PIP_CACHE_DIR: '{home}/pip' } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(/PIP_CACHE_DIR: unknown placeholder \{home\}/);
    expect(existsSync(join(repo, '.agentpr_runtime'))).toBe(false);
  });

  it('removeStaleLastMessage deletes a stale codex_last_message.txt', () => {
    const paths = runtimePaths(tempDir('agentpr-stale-'));
    expect(removeStaleLastMessage(paths)).toBe(false);
    prepareAgentEnvironment({ parentEnv: {}, repoDir: paths.repoDir, codexHome: '/none' });
    writeFileSync(paths.lastMessagePath, 'old attempt');
    expect(readFileSync(paths.lastMessagePath, 'utf8')).toBe('old attempt');
    expect(removeStaleLastMessage(paths)).toBe(true);
    expect(existsSync(paths.lastMessagePath)).toBe(false);
  });
});
