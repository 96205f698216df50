import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { buildAgentEnvironment, providerEnvKeysFromToml, readCodexProviderEnvKeys, resolveCodexHome } from './agent-environment.js';

const parent = {
  PATH: '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  LC_CTYPE: 'C.UTF-8',
  TERM: 'xterm',
  TZ: 'UTC',
  USER: 'op',
  LOGNAME: 'op',
  SHELL: '/bin/bash',
  HOME: '/home/op',
  OPENAI_API_KEY: 'sk-model',
  CODEX_API_KEY: 'codex-key',
  STUB_API_KEY: 'stub-key',
  AGENTPR_TELEGRAM_BOT_TOKEN: 'bot-token',
  AGENTPR_GITHUB_WEBHOOK_SECRET: 'webhook-secret',
  AGENTPR_HOME: '/data',
  GITHUB_TOKEN: 'ghp_x',
  GH_TOKEN: 'gho_x',
  AWS_SECRET_ACCESS_KEY: 'aws',
  SSH_AUTH_SOCK: '/tmp/ssh.sock',
  EDITOR: 'vim',
};
const base = {
  codexHome: '/codex-home',
  runtimeDir: '/w/.agentpr_runtime',
  runtimeEnv: { AGENTPR_RUNTIME_DIR: '/w/.agentpr_runtime', AGENTPR_WORKSPACE_DIR: '/w', TMPDIR: '/w/.agentpr_runtime/tmp' },
};

describe('buildAgentEnvironment', () => {
  it('buildAgentEnvironment passes only the allowlist, credentials, runtime vars, CODEX_HOME and a private HOME (W24)', () => {
    const { env, withheld } = buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['STUB_API_KEY'] });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      LC_CTYPE: 'C.UTF-8',
      TERM: 'xterm',
      TZ: 'UTC',
      USER: 'op',
      LOGNAME: 'op',
      SHELL: '/bin/bash',
      OPENAI_API_KEY: 'sk-model',
      CODEX_API_KEY: 'codex-key',
      STUB_API_KEY: 'stub-key',
      AGENTPR_RUNTIME_DIR: '/w/.agentpr_runtime',
      AGENTPR_WORKSPACE_DIR: '/w',
      TMPDIR: '/w/.agentpr_runtime/tmp',
      CODEX_HOME: '/codex-home',
      HOME: '/w/.agentpr_runtime/home',
    });
    expect(withheld).toEqual(['AGENTPR_GITHUB_WEBHOOK_SECRET', 'AGENTPR_HOME', 'AGENTPR_TELEGRAM_BOT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'EDITOR', 'GH_TOKEN', 'GITHUB_TOKEN', 'SSH_AUTH_SOCK']);
  });

  it('buildAgentEnvironment with agent push keeps the real HOME and passes the GitHub tokens, never the bot token', () => {
    const { env } = buildAgentEnvironment(parent, { ...base, allowAgentPush: true });
    expect(env.HOME).toBe('/home/op');
    expect(env.GITHUB_TOKEN).toBe('ghp_x');
    expect(env.GH_TOKEN).toBe('gho_x');
    expect(env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.AGENTPR_GITHUB_WEBHOOK_SECRET).toBeUndefined();
  });

  it('buildAgentEnvironment in skills mode passes GitHub tokens only for the CI/review stage', () => {
    for (const stage of ['ITERATING', 'CI_WAIT', 'REVIEW_WAIT']) {
      expect(buildAgentEnvironment(parent, { ...base, skillsMode: 'agentpr', stage }).env.GH_TOKEN).toBe('gho_x');
    }
    expect(buildAgentEnvironment(parent, { ...base, skillsMode: 'agentpr', stage: 'IMPLEMENTING' }).env.GH_TOKEN).toBeUndefined();
    expect(buildAgentEnvironment(parent, { ...base, skillsMode: 'off', stage: 'ITERATING' }).env.GH_TOKEN).toBeUndefined();
    expect(buildAgentEnvironment(parent, { ...base, skillsMode: 'agentpr', stage: 'ITERATING' }).env.HOME).toBe('/w/.agentpr_runtime/home');
  });

  it('buildAgentEnvironment passes names listed in env_passthrough, even withheld ones', () => {
    const { env } = buildAgentEnvironment(parent, { ...base, passthrough: ['SSH_AUTH_SOCK', 'GITHUB_TOKEN', ' AGENTPR_HOME ', 'NOT_SET'] });
    expect(env).toMatchObject({ SSH_AUTH_SOCK: '/tmp/ssh.sock', GITHUB_TOKEN: 'ghp_x', AGENTPR_HOME: '/data' });
    expect('NOT_SET' in env).toBe(false);
    expect(env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('buildAgentEnvironment drops secrets an override template tries to add, and fixes CODEX_HOME and HOME', () => {
    const { env } = buildAgentEnvironment(parent, {
      ...base,
      runtimeEnv: { ...base.runtimeEnv, AGENTPR_TELEGRAM_BOT_TOKEN: 'x', GITHUB_TOKEN: 'y', HOME: '/elsewhere', CODEX_HOME: '/other', MY_TOOL_HOME: '/w/t' },
    });
    expect(env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.HOME).toBe('/w/.agentpr_runtime/home');
    expect(env.CODEX_HOME).toBe('/codex-home');
    expect(env.MY_TOOL_HOME).toBe('/w/t');
  });
});

describe('codex provider env_key', () => {
  const toml = `
# comment
model = "gpt-5.5"
model_provider = "stub" # selected

[model_providers.openai_like]
env_key = "OTHER_KEY"

[model_providers.stub]
name = "Stub # not a comment"
base_url = "http://127.0.0.1:1/v1"
env_key = "STUB_API_KEY"
`;

  it('providerEnvKeysFromToml returns the env_key of the selected provider only', () => {
    expect(providerEnvKeysFromToml(toml)).toEqual(['STUB_API_KEY']);
  });

  it('providerEnvKeysFromToml without model_provider, or a provider without env_key, returns []', () => {
    expect(providerEnvKeysFromToml('model = "o3"\n')).toEqual([]);
    expect(providerEnvKeysFromToml('model_provider = "x"\n[model_providers.x]\nname = "x"\n')).toEqual([]);
  });

  it('providerEnvKeysFromToml reads quoted table names and single-quoted values', () => {
    expect(providerEnvKeysFromToml(`model_provider = 'my.prov'\n[model_providers."my.prov"]\nenv_key = 'MY_KEY'\n`)).toEqual(['MY_KEY']);
  });

  it('readCodexProviderEnvKeys reads <codexHome>/config.toml and tolerates a missing file', () => {
    expect(readCodexProviderEnvKeys('/ch', fakeFileProbe({ '/ch/config.toml': { text: toml } }))).toEqual(['STUB_API_KEY']);
    expect(readCodexProviderEnvKeys('/none', fakeFileProbe({}))).toEqual([]);
  });

  it('resolveCodexHome prefers CODEX_HOME (expanded), else ~/.codex', () => {
    expect(resolveCodexHome({ HOME: '/h', CODEX_HOME: '~/ch' })).toBe('/h/ch');
    expect(resolveCodexHome({ HOME: '/h', CODEX_HOME: '/x/../ch' })).toBe('/ch');
    expect(resolveCodexHome({ HOME: '/h' })).toBe('/h/.codex');
  });
});
