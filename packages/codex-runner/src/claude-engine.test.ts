import { describe, expect, it } from 'vitest';
import { buildAgentEnvironment } from './agent-environment.js';
import { getAgentEngine } from './agent-engines.js';
import { claudeEngine, claudeModelUrls } from './claude-engine.js';

describe('claudeEngine', () => {
  it('claudeEngine is the registered claude engine: stream last message, CLAUDE_CONFIG_DIR, only ANTHROPIC_API_KEY as credential', () => {
    expect(getAgentEngine('claude')).toBe(claudeEngine);
    expect(claudeEngine).toMatchObject({ name: 'claude', lastMessageSource: 'stream', homeVar: 'CLAUDE_CONFIG_DIR', credentialVars: ['ANTHROPIC_API_KEY'], passVars: ['ANTHROPIC_BASE_URL'] });
    expect(claudeEngine.streamFormat({ version: '2.1.332', versionText: '', streamJson: true, settingSources: true })).toBe('claude-stream-json');
    expect(claudeEngine.fixedEnv).toMatchObject({ CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1' });
  });

  it('claudeEngine.operatorHome and modelUrls read CLAUDE_CONFIG_DIR and ANTHROPIC_BASE_URL, with their defaults', () => {
    expect(claudeEngine.operatorHome({ HOME: '/home/op' })).toBe('/home/op/.claude');
    expect(claudeEngine.operatorHome({ HOME: '/home/op', CLAUDE_CONFIG_DIR: '/etc/op-claude' })).toBe('/etc/op-claude');
    expect(claudeModelUrls({})).toEqual(['https://api.anthropic.com']);
    expect(claudeEngine.modelUrls({ ANTHROPIC_BASE_URL: ' http://127.0.0.1:4011 ' })).toEqual(['http://127.0.0.1:4011']);
  });

  it('buildAgentEnvironment with the claude engine passes the API key and base URL, sets the home and switches, and withholds OAuth tokens and codex keys', () => {
    const parent = {
      PATH: '/usr/bin',
      HOME: '/home/op',
      ANTHROPIC_API_KEY: 'sk-ant-key',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011',
      CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat-secret',
      ANTHROPIC_AUTH_TOKEN: 'bearer-secret',
      OPENAI_API_KEY: 'sk-openai',
      CLAUDE_CONFIG_DIR: '/home/op/.claude',
      DISABLE_TELEMETRY: '0',
    };
    const { env, withheld } = buildAgentEnvironment(parent, { engine: claudeEngine, codexHome: '/data/agent-homes/claude-home-x', runtimeDir: '/w/.agentpr_runtime', runtimeEnv: {} });
    expect(env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-ant-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:4011', CLAUDE_CONFIG_DIR: '/data/agent-homes/claude-home-x', HOME: '/w/.agentpr_runtime/home' });
    expect(env.DISABLE_TELEMETRY).toBe('1');
    expect(env.CODEX_HOME).toBeUndefined();
    expect(withheld).toEqual(expect.arrayContaining(['CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY']));
    expect(JSON.stringify(env)).not.toMatch(/oat-secret|bearer-secret|sk-openai/);
  });
});
