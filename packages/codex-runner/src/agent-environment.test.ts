import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { buildAgentEnvironment, GIT_CREDENTIAL_HELPER, isSecretLookingName, providerEnvKeysFromToml, readCodexProviderEnvKeys, resolveCodexHome } from './agent-environment.js';

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
  DATABASE_URL: 'postgres://u:p@h/db',
  PGPASSWORD: 'pg',
  TELEGRAM_CHAT_ID: '42',
};
const base = {
  codexHome: '/codex-home',
  runtimeDir: '/w/.agentpr_runtime',
  runtimeEnv: { AGENTPR_RUNTIME_DIR: '/w/.agentpr_runtime', AGENTPR_WORKSPACE_DIR: '/w', TMPDIR: '/w/.agentpr_runtime/tmp' },
};

describe('buildAgentEnvironment', () => {
  it('buildAgentEnvironment passes only the allowlist, model credentials, allowlisted provider keys, runtime vars, CODEX_HOME and a private HOME', () => {
    const { env, withheld, refusedPassthrough, refusedProviderEnvKeys } = buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['STUB_API_KEY'], providerEnvAllowlist: ['STUB_API_KEY'] });
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
    expect(withheld).toEqual([
      'AGENTPR_GITHUB_WEBHOOK_SECRET', 'AGENTPR_HOME', 'AGENTPR_TELEGRAM_BOT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL', 'EDITOR', 'GH_TOKEN', 'GITHUB_TOKEN', 'PGPASSWORD', 'SSH_AUTH_SOCK', 'TELEGRAM_CHAT_ID',
    ]);
    expect(refusedPassthrough).toEqual([]);
    expect(refusedProviderEnvKeys).toEqual([]);
  });

  it('buildAgentEnvironment without agent push gives no GitHub token and no git credential config (issue 12)', () => {
    const { env } = buildAgentEnvironment(parent, base);
    expect(env.GH_TOKEN).toBeUndefined();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(Object.keys(env).filter((name) => name.startsWith('GIT_CONFIG_'))).toEqual([]);
  });

  it('buildAgentEnvironment with agent push passes the GitHub tokens and a credential helper via GIT_CONFIG_*, keeps the private HOME, never the bot token', () => {
    const { env } = buildAgentEnvironment(parent, { ...base, allowAgentPush: true, runtimeEnv: { ...base.runtimeEnv, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.hooksPath' } });
    expect(env.HOME).toBe('/w/.agentpr_runtime/home');
    expect(env.GITHUB_TOKEN).toBe('ghp_x');
    expect(env.GH_TOKEN).toBe('gho_x');
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'credential.https://github.com.helper',
      GIT_CONFIG_VALUE_0: '',
      GIT_CONFIG_KEY_1: 'credential.https://github.com.helper',
      GIT_CONFIG_VALUE_1: GIT_CREDENTIAL_HELPER,
    });
    // The helper reads the token from the environment: its value is never in the config.
    expect(JSON.stringify(Object.entries(env).filter(([name]) => name.startsWith('GIT_CONFIG_')))).not.toMatch(/ghp_x|gho_x/);
    expect(env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.AGENTPR_GITHUB_WEBHOOK_SECRET).toBeUndefined();
  });

  it('buildAgentEnvironment refuses secret-looking passthrough names unless also in secretPassthrough, and reports them', () => {
    const passthrough = ['SSH_AUTH_SOCK', 'GITHUB_TOKEN', ' AGENTPR_HOME ', 'AGENTPR_TELEGRAM_BOT_TOKEN', 'DATABASE_URL', 'PGPASSWORD', 'TELEGRAM_CHAT_ID', 'AWS_SECRET_ACCESS_KEY', 'EDITOR', 'NOT_SET'];
    const refused = buildAgentEnvironment(parent, { ...base, passthrough });
    expect(refused.env.EDITOR).toBe('vim');
    for (const name of passthrough.filter((n) => n !== 'EDITOR' && n !== 'NOT_SET')) expect(refused.env[name.trim()]).toBeUndefined();
    expect(refused.refusedPassthrough).toEqual(['AGENTPR_HOME', 'AGENTPR_TELEGRAM_BOT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DATABASE_URL', 'GITHUB_TOKEN', 'PGPASSWORD', 'SSH_AUTH_SOCK', 'TELEGRAM_CHAT_ID']);
    expect('NOT_SET' in refused.env).toBe(false);

    const optedIn = buildAgentEnvironment(parent, { ...base, passthrough, secretPassthrough: ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'PGPASSWORD'] });
    expect(optedIn.env).toMatchObject({ AWS_SECRET_ACCESS_KEY: 'aws', GITHUB_TOKEN: 'ghp_x', PGPASSWORD: 'pg' });
    expect(optedIn.env.GH_TOKEN).toBeUndefined();
    expect(optedIn.refusedPassthrough).toEqual(['AGENTPR_HOME', 'AGENTPR_TELEGRAM_BOT_TOKEN', 'DATABASE_URL', 'SSH_AUTH_SOCK', 'TELEGRAM_CHAT_ID']);
    // secretPassthrough alone passes nothing: the name must be asked for in passthrough too.
    expect(buildAgentEnvironment(parent, { ...base, secretPassthrough: ['AWS_SECRET_ACCESS_KEY'] }).env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it('buildAgentEnvironment passes a provider env_key only if it is a codex credential or allowlisted, and reports the rest', () => {
    const planted = buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['AGENTPR_TELEGRAM_BOT_TOKEN'] });
    expect(planted.env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(planted.refusedProviderEnvKeys).toEqual(['AGENTPR_TELEGRAM_BOT_TOKEN']);
    const stub = buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['STUB_API_KEY'] });
    expect(stub.env.STUB_API_KEY).toBeUndefined();
    expect(stub.refusedProviderEnvKeys).toEqual(['STUB_API_KEY']);
    expect(buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['OPENAI_API_KEY'] }).refusedProviderEnvKeys).toEqual([]);
    expect(buildAgentEnvironment(parent, { ...base, providerEnvKeys: ['STUB_API_KEY'], providerEnvAllowlist: ['STUB_API_KEY'] }).env.STUB_API_KEY).toBe('stub-key');
  });

  it('buildAgentEnvironment merges proxyEnv over the runtime vars but never over CODEX_HOME or HOME', () => {
    const { env } = buildAgentEnvironment(parent, {
      ...base,
      runtimeEnv: { ...base.runtimeEnv, HTTPS_PROXY: 'http://override' },
      proxyEnv: { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost', HOME: '/x' },
    });
    expect(env).toMatchObject({ HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', NO_PROXY: 'localhost', HOME: '/w/.agentpr_runtime/home' });
  });

  it('buildAgentEnvironment drops secrets an override template tries to add, and fixes CODEX_HOME and HOME', () => {
    const { env } = buildAgentEnvironment(parent, {
      ...base,
      runtimeEnv: { ...base.runtimeEnv, AGENTPR_TELEGRAM_BOT_TOKEN: 'x', GITHUB_TOKEN: 'y', NPM_TOKEN: 'z', HOME: '/elsewhere', CODEX_HOME: '/other', MY_TOOL_HOME: '/w/t' },
    });
    expect(env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.NPM_TOKEN).toBeUndefined();
    expect(env.HOME).toBe('/w/.agentpr_runtime/home');
    expect(env.CODEX_HOME).toBe('/codex-home');
    expect(env.MY_TOOL_HOME).toBe('/w/t');
  });

  it('isSecretLookingName is a truth table of credential-like names', () => {
    const yes = ['GH_TOKEN', 'GITHUB_TOKEN', 'NPM_TOKEN', 'AGENTPR_HOME', 'agentpr_x', 'DATABASE_URL', 'MY_DATABASE_URL_RO', 'PGPASSWORD', 'PG_ADMIN_PASSWORD', 'TELEGRAM_CHAT_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWD', 'SSH_PRIVATE_KEY', 'GOOGLE_APPLICATION_CREDENTIALS', 'STRIPE_API_KEY', 'NPM_CONFIG__AUTH', 'SSH_AUTH_SOCK', 'SESSION_COOKIE'];
    const no = ['PATH', 'EDITOR', 'AGENTPR_RUNTIME_DIR', 'AGENTPR_WORKSPACE_DIR', 'GIT_AUTHOR_NAME', 'PGHOST', 'NODE_OPTIONS', 'TMPDIR', 'PIP_DISABLE_PIP_VERSION_CHECK'];
    for (const name of yes) expect([name, isSecretLookingName(name)]).toEqual([name, true]);
    for (const name of no) expect([name, isSecretLookingName(name)]).toEqual([name, false]);
  });
});

describe('an engine\'s pass-through variables', () => {
  const claude = { homeVar: 'CLAUDE_CONFIG_DIR', credentialVars: ['ANTHROPIC_API_KEY'], passVars: ['ANTHROPIC_BASE_URL'], fixedEnv: { DISABLE_TELEMETRY: '1' } };
  const options = { engine: claude, codexHome: '/data/agent-homes/claude-home-1', runtimeDir: '/ws/.agentpr_runtime', runtimeEnv: {} };

  it('passes the model key, the base URL and the fixed settings, with the engine\'s home variable and no codex key', () => {
    const parent = { PATH: '/usr/bin', ANTHROPIC_API_KEY: 'sk-ant-1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011', OPENAI_API_KEY: 'sk-openai', GITHUB_TOKEN: 'ghp_x' };
    const { env, withheld } = buildAgentEnvironment(parent, options);
    expect(env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-ant-1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011', DISABLE_TELEMETRY: '1', CLAUDE_CONFIG_DIR: '/data/agent-homes/claude-home-1' });
    expect(env.CODEX_HOME).toBeUndefined();
    expect(withheld).toEqual(['GITHUB_TOKEN', 'OPENAI_API_KEY']);
  });

  it('withholds a base URL that carries a credential in it', () => {
    const { env, withheld } = buildAgentEnvironment({ ANTHROPIC_BASE_URL: 'https://user:secret-key@proxy.example/' }, options);
    expect(env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(withheld).toEqual(['ANTHROPIC_BASE_URL']);
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
