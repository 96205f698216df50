import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveManagerLlmPolicy } from './manager-llm-policy.js';
import { DEFAULT_MANAGER_POLICY, loadPolicy, parseManagerPolicy } from './manager-policy.js';

function issuesOf(value: unknown): string[] {
  const r = parseManagerPolicy(value);
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.issues;
}

function resolved(section: unknown) {
  const r = parseManagerPolicy({ manager_llm: section });
  if (!r.ok) throw new Error(r.issues.join('; '));
  expect(r.warnings).toEqual([]);
  return resolveManagerLlmPolicy(r.policy);
}

describe('manager_llm policy', () => {
  it('is optional: without it every default is filled and the provider is openai', () => {
    expect(resolveManagerLlmPolicy(DEFAULT_MANAGER_POLICY)).toEqual({
      base_url: undefined,
      model: undefined,
      provider: 'openai',
      azure_api_version: '2024-10-21',
      request_timeout_sec: 60,
      max_tool_calls: 8,
      max_tokens_per_request: 40_000,
      daily_tokens_per_chat: 400_000,
      max_output_tokens: 1000,
      confirm_ttl_sec: 300,
      price_input_per_mtok: 0,
      price_output_per_mtok: 0,
    });
  });

  it('keeps the given values, trims the URL\'s trailing slash and derives the provider from the host', () => {
    const p = resolved({ base_url: 'http://127.0.0.1:11434/v1/', model: ' llama3.1:8b ', max_tool_calls: 2, confirm_ttl_sec: 30, price_input_per_mtok: 0.4, price_output_per_mtok: 1.6 });
    expect(p).toMatchObject({ base_url: 'http://127.0.0.1:11434/v1', model: 'llama3.1:8b', provider: 'openai-compatible', max_tool_calls: 2, confirm_ttl_sec: 30 });
    expect(p).toMatchObject({ price_input_per_mtok: 0.4, price_output_per_mtok: 1.6, max_tokens_per_request: 40_000 });
    expect(resolved({ base_url: 'https://api.openai.com/v1' }).provider).toBe('openai');
    expect(resolved({ base_url: 'https://acme.openai.azure.com/openai' }).provider).toBe('azure');
    expect(resolved({ base_url: 'https://llm.example.com/v1', provider: ' Azure ', azure_api_version: '2025-01-01-preview' })).toMatchObject({ provider: 'azure', azure_api_version: '2025-01-01-preview' });
  });

  it('refuses bad values with one issue per field, naming manager_llm.<field>', () => {
    const issues = issuesOf({
      manager_llm: { model: 'has spaces', provider: 'anthropic', max_tool_calls: 0, confirm_ttl_sec: 7200, request_timeout_sec: 1.5, price_input_per_mtok: -1, daily_tokens_per_chat: '1000' },
    });
    expect(issues).toEqual([
      'manager_llm.model: must be 1-128 characters of letters, digits and ._:/@- (got "has spaces")',
      'manager_llm.provider: must be one of openai, azure, openai-compatible (got "anthropic")',
      'manager_llm.request_timeout_sec: must be an integer (got 1.5)',
      'manager_llm.max_tool_calls: must be at least 1 (got 0)',
      'manager_llm.daily_tokens_per_chat: must be an integer (got "1000")',
      'manager_llm.confirm_ttl_sec: must be at most 3600 (got 7200)',
      'manager_llm.price_input_per_mtok: must be at least 0 (got -1)',
    ]);
    expect(issuesOf({ manager_llm: { confirm_ttl_sec: 29 } })).toEqual(['manager_llm.confirm_ttl_sec: must be at least 30 (got 29)']);
    expect(issuesOf({ manager_llm: ['x'] })).toEqual(['manager_llm: must be an object (got ["x"])']);
  });

  it('never takes a key: a key-like field is refused, telling to use AGENTPR_LLM_API_KEY, without echoing it', () => {
    for (const field of ['api_key', 'apiKey', 'openai_api_key', 'key', 'token', 'secret', 'password']) {
      const issues = issuesOf({ manager_llm: { model: 'gpt-4.1-mini', [field]: 'sk-live-SECRET' } });
      expect(issues).toEqual([`manager_llm.${field}: the policy file must not hold a key; the manager LLM's API key comes only from the AGENTPR_LLM_API_KEY environment variable`]);
    }
    // Budget fields that merely mention tokens are not keys.
    expect(resolved({ max_tokens_per_request: 5000, max_output_tokens: 500 })).toMatchObject({ max_tokens_per_request: 5000, max_output_tokens: 500 });
  });

  it('refuses a base URL that is not plain http(s), never echoing it (it may carry a password)', () => {
    expect(issuesOf({ manager_llm: { base_url: 'https://user:sk-SECRET@llm.example.com/v1' } })).toEqual([
      'manager_llm.base_url: must not carry user:password@ (the manager LLM\'s API key comes only from the AGENTPR_LLM_API_KEY environment variable)',
    ]);
    expect(issuesOf({ manager_llm: { base_url: 'https://llm.example.com/v1?api-key=sk-SECRET' } })).toEqual(['manager_llm.base_url: must not carry a query or a fragment']);
    expect(issuesOf({ manager_llm: { base_url: 'ftp://llm.example.com' } })).toEqual(['manager_llm.base_url: must be an http(s) URL']);
    expect(issuesOf({ manager_llm: { base_url: 'not a url' } })).toEqual(['manager_llm.base_url: must be an http(s) URL']);
  });

  it('the loader reports them as its usual one-line invalid_policy error naming the file; unknown fields are warnings', async () => {
    const r = await loadPolicy('/p.json', async () => JSON.stringify({ manager_llm: { api_key: 'sk-live-SECRET', max_tool_calls: 3 } }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_policy');
    expect(r.error.message).toBe('/p.json: manager_llm.api_key: the policy file must not hold a key; the manager LLM\'s API key comes only from the AGENTPR_LLM_API_KEY environment variable');
    expect(r.error.message).not.toContain('SECRET');
    const warned = parseManagerPolicy({ manager_llm: { temperature: 0.2 } });
    expect(warned.ok && warned.warnings).toEqual(['manager_llm.temperature: unknown key (ignored)']);
  });

  it('the shipped example policy carries a manager_llm section that resolves without warnings', () => {
    const example = JSON.parse(readFileSync(new URL('../manager_policy.example.json', import.meta.url), 'utf8')) as { manager_llm: unknown };
    expect(resolved(example.manager_llm)).toMatchObject({ base_url: 'https://api.openai.com/v1', provider: 'openai', max_tool_calls: 8, confirm_ttl_sec: 300 });
  });
});
