import { describe, expect, it } from 'vitest';
import { resolveManagerLlmPolicy } from '@agentpr/policy';
import { DEFAULT_ASSISTANT_LIMITS, resolveLlmConfig } from './llm-config.js';

const KEY = { AGENTPR_LLM_API_KEY: 'sk-config-test-0123456789' };

function configured(input: Parameters<typeof resolveLlmConfig>[0]) {
  const result = resolveLlmConfig(input);
  if (result.kind !== 'configured') throw new Error(result.message);
  return result.config;
}

describe('resolveLlmConfig', () => {
  it('takes the flag over the environment over the policy, and the key only from AGENTPR_LLM_API_KEY', () => {
    const policy = { base_url: 'http://127.0.0.1:1/v1', model: 'policy-model' };
    const env = { ...KEY, AGENTPR_LLM_BASE_URL: 'http://127.0.0.1:2/v1', AGENTPR_LLM_MODEL: 'env-model' };
    expect(configured({ flags: { baseUrl: 'http://127.0.0.1:3/v1/', model: 'flag-model' }, env, policy, offline: false })).toMatchObject({
      baseUrl: 'http://127.0.0.1:3/v1',
      model: 'flag-model',
      apiKey: KEY.AGENTPR_LLM_API_KEY,
    });
    expect(configured({ env, policy, offline: false })).toMatchObject({ baseUrl: 'http://127.0.0.1:2/v1', model: 'env-model' });
    expect(configured({ env: KEY, policy, offline: false })).toMatchObject({ baseUrl: 'http://127.0.0.1:1/v1', model: 'policy-model' });
  });

  it('defaults to OpenAI with the default limits, and fills limits, timeout and prices from the policy', () => {
    expect(configured({ flags: { model: 'gpt-4.1-mini' }, env: KEY, offline: false })).toEqual({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4.1-mini',
      apiKey: KEY.AGENTPR_LLM_API_KEY,
      provider: 'openai',
      timeoutMs: 60_000,
      limits: DEFAULT_ASSISTANT_LIMITS,
      prices: { inputPerMTokens: 0, outputPerMTokens: 0 },
    });
    const policy = { ...resolveManagerLlmPolicy({}), model: 'm', max_tool_calls: 3, confirm_ttl_sec: 60, request_timeout_sec: 5, price_input_per_mtok: 2, price_output_per_mtok: 8 };
    expect(configured({ env: KEY, policy, offline: false })).toMatchObject({
      timeoutMs: 5_000,
      limits: { ...DEFAULT_ASSISTANT_LIMITS, maxToolCalls: 3, confirmTtlSec: 60 },
      prices: { inputPerMTokens: 2, outputPerMTokens: 8 },
    });
  });

  it('derives the provider from the endpoint; an explicit azure holds, with its API version', () => {
    const of = (baseUrl: string, policy = {}) => configured({ flags: { baseUrl, model: 'm' }, env: KEY, policy, offline: false });
    expect(of('http://127.0.0.1:11434/v1').provider).toBe('openai-compatible');
    expect(of('https://res.openai.azure.com/openai')).toMatchObject({ provider: 'azure', azureApiVersion: '2024-10-21' });
    expect(of('https://llm.example.com/openai', { provider: 'azure', azure_api_version: '2025-01-01-preview' })).toMatchObject({ provider: 'azure', azureApiVersion: '2025-01-01-preview' });
    // The policy's provider names the policy's endpoint, not another one given by flag.
    expect(of('http://127.0.0.1:8000/v1', { base_url: 'https://api.openai.com/v1', provider: 'openai' }).provider).toBe('openai-compatible');
  });

  it('is unconfigured without a model, or for a hosted endpoint without a key; keyless local servers are fine', () => {
    expect(resolveLlmConfig({ env: KEY, offline: false })).toMatchObject({ kind: 'unconfigured', message: expect.stringContaining('AGENTPR_LLM_MODEL') });
    expect(resolveLlmConfig({ flags: { model: 'm' }, env: {}, offline: false })).toEqual({
      kind: 'unconfigured',
      message: 'AGENTPR_LLM_API_KEY is not set; the manager LLM at https://api.openai.com/v1 needs a key. Every other command keeps working.',
    });
    expect(configured({ flags: { baseUrl: 'http://localhost:11434/v1', model: 'llama3.1:8b' }, env: {}, offline: false }).apiKey).toBeUndefined();
  });

  it('refuses a non-loopback endpoint in offline mode with one line', () => {
    const result = resolveLlmConfig({ flags: { baseUrl: 'https://api.openai.com/v1', model: 'm' }, env: KEY, offline: true });
    expect(result).toEqual({
      kind: 'unconfigured',
      message: 'Offline mode allows only a loopback manager LLM (http://127.0.0.1:…); https://api.openai.com/v1 is not one. Point AGENTPR_LLM_BASE_URL at a local server or leave offline mode.',
    });
  });

  it.each([
    [{ baseUrl: 'ftp://host/v1' }, '--llm-base-url: must be an http(s) URL'],
    [{ baseUrl: 'not a url' }, '--llm-base-url: must be an http(s) URL'],
    [{ baseUrl: 'https://user:hunter2secret@host/v1' }, '--llm-base-url: must not carry user:password@ (the key comes from AGENTPR_LLM_API_KEY)'],
    [{ baseUrl: 'https://host/v1?key=abc' }, '--llm-base-url: must not carry a query or a fragment'],
    [{ model: 'gpt 4; rm -rf' }, '--llm-model: must be 1-128 characters of letters, digits and ._:/@-'],
  ])('rejects bad input %j with one usage line that never echoes it', (flags, message) => {
    let thrown: unknown;
    try {
      resolveLlmConfig({ flags: { model: 'm', ...flags }, env: KEY, offline: false });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'AgentprError', code: 'usage' });
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('hunter2secret');
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => resolveLlmConfig({ env: { ...KEY, AGENTPR_LLM_MODEL: 'bad model' }, offline: false })).toThrow(/^AGENTPR_LLM_MODEL: /);
  });
});
