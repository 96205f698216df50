import * as v from 'valibot';
import { AgentprError } from '@agentpr/orchestrator';
import { DEFAULT_AZURE_API_VERSION, isLoopbackUrl, providerForBaseUrl, type ManagerLlmPolicy } from '@agentpr/policy';
import type { AssistantLimits, ModelPrices } from './ask-types.js';

/** The kinds of endpoint the adapter knows: they differ in the client class and in the output-token parameter. */
export type LlmProvider = 'openai' | 'azure' | 'openai-compatible';

/** Everything the chat-model adapter and the loop need to talk to the manager LLM. */
export interface LlmConfig {
  /** `https://api.openai.com/v1`, `https://<resource>.openai.azure.com/openai`, `http://127.0.0.1:11434/v1`, … */
  baseUrl: string;
  /** The model name (the deployment name on Azure). */
  model: string;
  /** From `AGENTPR_LLM_API_KEY` only; never from a flag or the policy file. */
  apiKey?: string | undefined;
  provider: LlmProvider;
  azureApiVersion?: string | undefined;
  timeoutMs: number;
  limits: AssistantLimits;
  prices: ModelPrices;
}

/** The limits used when the policy names none. */
export const DEFAULT_ASSISTANT_LIMITS: AssistantLimits = Object.freeze({
  maxToolCalls: 8,
  maxTokensPerRequest: 40_000,
  dailyTokensPerChat: 400_000,
  maxOutputTokens: 1_000,
  confirmTtlSec: 300,
});

/** The default endpoint when none is configured. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * The policy's `manager_llm` section, as `resolveManagerLlmPolicy` from @agentpr/policy returns it; every field
 * optional so callers and tests may pass only what they set.
 */
export type ManagerLlmSettings = Partial<ManagerLlmPolicy>;

/** What decides the configuration: flag > env > policy. */
export interface ResolveLlmConfigInput {
  flags?: { baseUrl?: string | undefined; model?: string | undefined } | undefined;
  env: Readonly<Record<string, string | undefined>>;
  policy?: ManagerLlmSettings | undefined;
  /** Offline mode: only a loopback endpoint is allowed. */
  offline: boolean;
}

/** A usable configuration, or one line saying why there is none (the deterministic commands keep working). */
export type LlmConfigResolution = { kind: 'configured'; config: LlmConfig } | { kind: 'unconfigured'; message: string };

const DEFAULT_TIMEOUT_SEC = 60;

function parsedUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

// valibot runs every check of a pipe even after one failed, so each check tolerates text that is not a URL.
const BaseUrlSchema = v.pipe(
  v.string(),
  v.trim(),
  v.url('must be an http(s) URL'),
  v.check((text) => /^https?:\/\//i.test(text), 'must be an http(s) URL'),
  v.check((text) => {
    const url = parsedUrl(text);
    return !url || (url.username === '' && url.password === '');
  }, 'must not carry user:password@ (the key comes from AGENTPR_LLM_API_KEY)'),
  v.check((text) => {
    const url = parsedUrl(text);
    return !url || (url.search === '' && url.hash === '');
  }, 'must not carry a query or a fragment'),
);

const ModelSchema = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9._:/@-]{1,128}$/, 'must be 1-128 characters of letters, digits and ._:/@-'));

function present(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** The first set value with the name of where it came from. */
function pick(candidates: ReadonlyArray<readonly [string, string | undefined]>): { from: string; value: string } | undefined {
  for (const [from, value] of candidates) {
    const text = present(value);
    if (text !== undefined) return { from, value: text };
  }
  return undefined;
}

function validated(schema: typeof BaseUrlSchema | typeof ModelSchema, from: string, value: string): string {
  const parsed = v.safeParse(schema, value);
  // The value is not echoed: a URL that fails may carry a password.
  if (!parsed.success) throw new AgentprError('usage', `${from}: ${parsed.issues[0].message}`);
  return parsed.output;
}

/** The endpoint without a trailing slash, as the SDK joins paths to it. */
function normalizeUrl(text: string): string {
  return text.replace(/\/+$/, '');
}

/**
 * The policy's provider applies to the policy's endpoint; a flag or env URL elsewhere gets the provider its host
 * implies, except that an explicit `azure` always holds (Azure behind a custom domain).
 */
function providerFor(baseUrl: string, policy: ManagerLlmSettings): LlmProvider {
  if (policy.provider === 'azure') return 'azure';
  const policyUrl = present(policy.base_url);
  if (policy.provider && policyUrl && normalizeUrl(policyUrl) === baseUrl) return policy.provider;
  return providerForBaseUrl(baseUrl);
}

function limitsFrom(policy: ManagerLlmSettings): AssistantLimits {
  return {
    maxToolCalls: policy.max_tool_calls ?? DEFAULT_ASSISTANT_LIMITS.maxToolCalls,
    maxTokensPerRequest: policy.max_tokens_per_request ?? DEFAULT_ASSISTANT_LIMITS.maxTokensPerRequest,
    dailyTokensPerChat: policy.daily_tokens_per_chat ?? DEFAULT_ASSISTANT_LIMITS.dailyTokensPerChat,
    maxOutputTokens: policy.max_output_tokens ?? DEFAULT_ASSISTANT_LIMITS.maxOutputTokens,
    confirmTtlSec: policy.confirm_ttl_sec ?? DEFAULT_ASSISTANT_LIMITS.confirmTtlSec,
  };
}

/**
 * Resolves the manager LLM's configuration: `--llm-base-url` > `AGENTPR_LLM_BASE_URL` > `manager_llm.base_url`
 * (default OpenAI), `--llm-model` > `AGENTPR_LLM_MODEL` > `manager_llm.model`, and the key only from
 * `AGENTPR_LLM_API_KEY`. No model anywhere, or a hosted endpoint without a key, is `unconfigured`; so is a
 * non-loopback endpoint in offline mode. A malformed URL or model name throws `AgentprError('usage')`.
 *
 * @example
 * const llm = resolveLlmConfig({ flags: { model: 'gpt-4.1-mini' }, env: ctx.env, policy: resolveManagerLlmPolicy(policy), offline: false });
 * if (llm.kind === 'unconfigured') return { output: { ok: false, error: llm.message }, status: 'failed' };
 */
export function resolveLlmConfig(input: ResolveLlmConfigInput): LlmConfigResolution {
  const policy = input.policy ?? {};
  const flags = input.flags ?? {};
  const urlChoice = pick([
    ['--llm-base-url', flags.baseUrl],
    ['AGENTPR_LLM_BASE_URL', input.env.AGENTPR_LLM_BASE_URL],
    ['manager_llm.base_url', policy.base_url],
  ]);
  const modelChoice = pick([
    ['--llm-model', flags.model],
    ['AGENTPR_LLM_MODEL', input.env.AGENTPR_LLM_MODEL],
    ['manager_llm.model', policy.model],
  ]);
  const baseUrl = normalizeUrl(urlChoice ? validated(BaseUrlSchema, urlChoice.from, urlChoice.value) : OPENAI_BASE_URL);
  const model = modelChoice ? validated(ModelSchema, modelChoice.from, modelChoice.value) : undefined;
  if (model === undefined) {
    return {
      kind: 'unconfigured',
      message: 'The manager LLM is not configured: set --llm-model / AGENTPR_LLM_MODEL (and AGENTPR_LLM_BASE_URL, AGENTPR_LLM_API_KEY) or manager_llm.model in the policy; every other command keeps working.',
    };
  }
  const loopback = isLoopbackUrl(baseUrl);
  if (input.offline && !loopback) {
    return { kind: 'unconfigured', message: `Offline mode allows only a loopback manager LLM (http://127.0.0.1:…); ${endpointOf(baseUrl)} is not one. Point AGENTPR_LLM_BASE_URL at a local server or leave offline mode.` };
  }
  const provider = providerFor(baseUrl, policy);
  const apiKey = present(input.env.AGENTPR_LLM_API_KEY);
  if (apiKey === undefined && !loopback && provider !== 'openai-compatible') {
    return { kind: 'unconfigured', message: `AGENTPR_LLM_API_KEY is not set; the manager LLM at ${endpointOf(baseUrl)} needs a key. Every other command keeps working.` };
  }
  const config: LlmConfig = {
    baseUrl,
    model,
    apiKey,
    provider,
    ...(provider === 'azure' ? { azureApiVersion: present(policy.azure_api_version) ?? DEFAULT_AZURE_API_VERSION } : {}),
    timeoutMs: (policy.request_timeout_sec ?? DEFAULT_TIMEOUT_SEC) * 1000,
    limits: limitsFrom(policy),
    prices: { inputPerMTokens: policy.price_input_per_mtok ?? 0, outputPerMTokens: policy.price_output_per_mtok ?? 0 },
  };
  return { kind: 'configured', config };
}

/** `scheme://host[:port]/path` of an endpoint, for messages: never a user, a password or a query. */
export function endpointOf(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}
