import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { prepareAgentEnvironment } from './prepare-agent-environment.js';

afterAll(() => cleanupTempDirs());

const parentEnv = { PATH: '/usr/bin', HOME: '/home/op', GH_TOKEN: 'gho_x', GITHUB_TOKEN: 'ghp_x', STUB_API_KEY: 'stub', AGENTPR_TELEGRAM_BOT_TOKEN: 'bot' };

function homes(): { operator: string; attempt: string } {
  const operator = tempDir('agentpr-op-codex-');
  writeFileSync(join(operator, 'config.toml'), 'model_provider = "stub"\n[model_providers.stub]\nenv_key = "STUB_API_KEY"\n');
  const attempt = tempDir('agentpr-attempt-codex-');
  // A config the agent planted in its own (attempt) home must not be read.
  writeFileSync(join(attempt, 'config.toml'), 'model_provider = "evil"\n[model_providers.evil]\nenv_key = "AGENTPR_TELEGRAM_BOT_TOKEN"\n');
  return { operator, attempt };
}

describe('prepareAgentEnvironment', () => {
  it('prepareAgentEnvironment gives no GitHub token in any stage of either skills mode without agent push (issue 12)', () => {
    const { operator, attempt } = homes();
    for (const stage of ['DISCOVERY', 'IMPLEMENTING', 'ITERATING', 'CI_WAIT', 'REVIEW_WAIT']) {
      for (const skillsMode of ['agentpr', 'off']) {
        const prepared = prepareAgentEnvironment({ parentEnv, repoDir: tempDir('agentpr-ws-'), codexHome: operator, agentCodexHome: attempt, skillsMode, stage });
        if (!prepared.ok) throw new Error(prepared.errors.join('; '));
        expect([stage, skillsMode, prepared.env.GH_TOKEN, prepared.env.GITHUB_TOKEN]).toEqual([stage, skillsMode, undefined, undefined]);
      }
    }
  });

  it('prepareAgentEnvironment reads provider env_keys from the operator home, sets CODEX_HOME to the attempt home, and reports refusals', () => {
    const { operator, attempt } = homes();
    const repoDir = tempDir('agentpr-ws-');
    const refused = prepareAgentEnvironment({ parentEnv, repoDir, codexHome: operator, agentCodexHome: attempt, passthrough: ['GH_TOKEN'] });
    if (!refused.ok) throw new Error(refused.errors.join('; '));
    expect(refused.providerEnvKeys).toEqual(['STUB_API_KEY']);
    expect(refused.refusedProviderEnvKeys).toEqual(['STUB_API_KEY']);
    expect(refused.refusedPassthrough).toEqual(['GH_TOKEN']);
    expect(refused.env.CODEX_HOME).toBe(attempt);
    expect(refused.env.HOME).toBe(join(repoDir, '.agentpr_runtime', 'home'));
    expect(refused.env.AGENTPR_TELEGRAM_BOT_TOKEN).toBeUndefined();

    const allowed = prepareAgentEnvironment({ parentEnv, repoDir, codexHome: operator, agentCodexHome: attempt, providerEnvAllowlist: ['STUB_API_KEY'], allowAgentPush: true, proxyEnv: { HTTPS_PROXY: 'http://127.0.0.1:3128' } });
    if (!allowed.ok) throw new Error(allowed.errors.join('; '));
    expect(allowed.env).toMatchObject({ STUB_API_KEY: 'stub', GH_TOKEN: 'gho_x', GITHUB_TOKEN: 'ghp_x', HTTPS_PROXY: 'http://127.0.0.1:3128', GIT_CONFIG_COUNT: '2' });
    expect(allowed.refusedProviderEnvKeys).toEqual([]);
  });
});
