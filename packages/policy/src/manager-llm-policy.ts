import * as v from 'valibot';

/** How the manager LLM is reached: the OpenAI API, Azure OpenAI, or any server speaking the OpenAI chat API. */
export const MANAGER_LLM_PROVIDERS = ['openai', 'azure', 'openai-compatible'] as const;
export type ManagerLlmProvider = (typeof MANAGER_LLM_PROVIDERS)[number];

/** The Azure OpenAI API version used when the policy names none. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const KEY_HINT = 'the manager LLM\'s API key comes only from the AGENTPR_LLM_API_KEY environment variable';

const boundedInt = (min: number, max: number, description: string) =>
  v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`), v.description(description));

const price = (description: string) =>
  v.pipe(v.number('must be a number'), v.finite('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(100_000, 'must be at most 100000'), v.description(description));

/** Why a base URL is unusable, or undefined; never echoes the URL (it may carry a password). */
function baseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return `must not carry user:password@ (${KEY_HINT})`;
  if (url.search !== '' || url.hash !== '') return 'must not carry a query or a fragment';
  return undefined;
}

const baseUrlSchema = v.pipe(
  v.string('must be an http(s) URL'),
  v.metadata({ format: 'uri' }),
  v.description('The OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 (default), https://<resource>.openai.azure.com/openai or http://127.0.0.1:11434/v1. Overridden by AGENTPR_LLM_BASE_URL and --llm-base-url.'),
  v.check((s: string) => baseUrlProblem(s) === undefined, 'must be an http(s) URL without user:password@, query or fragment'),
  v.transform((s: string) => s.trim().replace(/\/+$/, '')),
);

const MODEL_NAME = /^[A-Za-z0-9._:/@-]{1,128}$/;

const providerMessage = `must be one of ${MANAGER_LLM_PROVIDERS.join(', ')}`;

/**
 * The `manager_llm` section of the manager policy: which model the natural-language operator talks to and its
 * budgets and prices. Every field is optional. It never holds the API key (see {@link managerLlmKeyIssues}).
 */
export const managerLlmSchema = v.object(
  {
    base_url: v.optional(baseUrlSchema),
    model: v.optional(
      v.pipe(
        v.string('must be a model name'),
        v.trim(),
        v.regex(MODEL_NAME, 'must be 1-128 characters of letters, digits and ._:/@-'),
        v.description('The model (the deployment name on Azure). Overridden by AGENTPR_LLM_MODEL and --llm-model.'),
      ),
    ),
    provider: v.optional(
      v.pipe(
        v.string(providerMessage),
        v.metadata({ enum: [...MANAGER_LLM_PROVIDERS] }),
        v.description('openai, azure or openai-compatible; default openai for api.openai.com (or no base_url), azure for *.openai.azure.com, else openai-compatible.'),
        v.check((s: string) => (MANAGER_LLM_PROVIDERS as readonly string[]).includes(s.trim().toLowerCase()), providerMessage),
        v.transform((s: string) => s.trim().toLowerCase() as ManagerLlmProvider),
      ),
    ),
    azure_api_version: v.optional(
      v.pipe(v.string('must be an API version such as 2024-10-21'), v.trim(), v.regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must be an API version such as 2024-10-21'), v.description('The Azure OpenAI api-version.')),
      DEFAULT_AZURE_API_VERSION,
    ),
    request_timeout_sec: v.optional(boundedInt(1, 600, 'Time limit of one model request in seconds.'), 60),
    max_tool_calls: v.optional(boundedInt(1, 64, 'Tool calls one question may make.'), 8),
    max_tokens_per_request: v.optional(boundedInt(1000, 10_000_000, 'Tokens (input + output, over all model requests) one question may use.'), 40_000),
    daily_tokens_per_chat: v.optional(boundedInt(1000, 1_000_000_000, 'Tokens one chat may use per UTC day.'), 400_000),
    max_output_tokens: v.optional(boundedInt(16, 200_000, 'Cap on the output tokens of each model answer.'), 1000),
    confirm_ttl_sec: v.optional(boundedInt(30, 3600, 'How long a proposed write waits for its confirmation, in seconds.'), 300),
    price_input_per_mtok: v.optional(price('USD per million input tokens, for the cost in assistant-metrics (0 = unknown).'), 0),
    price_output_per_mtok: v.optional(price('USD per million output tokens, for the cost in assistant-metrics (0 = unknown).'), 0),
  },
  'must be an object',
);

/** The `manager_llm` section as parsed (defaults filled except the provider, which depends on `base_url`). */
export type ManagerLlmSection = v.InferOutput<typeof managerLlmSchema>;

/** The `manager_llm` section with every default filled: what {@link resolveManagerLlmPolicy} returns. */
export interface ManagerLlmPolicy {
  /** Unset: the flag, the environment or the default endpoint decides. */
  base_url: string | undefined;
  /** Unset: the flag or the environment must name it. */
  model: string | undefined;
  provider: ManagerLlmProvider;
  azure_api_version: string;
  request_timeout_sec: number;
  max_tool_calls: number;
  max_tokens_per_request: number;
  daily_tokens_per_chat: number;
  max_output_tokens: number;
  confirm_ttl_sec: number;
  price_input_per_mtok: number;
  price_output_per_mtok: number;
}

/** The provider a base URL implies: `openai` for none or api.openai.com, `azure` for Azure OpenAI hosts, else `openai-compatible`. */
export function providerForBaseUrl(baseUrl: string | undefined): ManagerLlmProvider {
  if (baseUrl === undefined) return 'openai';
  const host = new URL(baseUrl).hostname.toLowerCase();
  if (host === 'api.openai.com') return 'openai';
  if (host.endsWith('.openai.azure.com') || host.endsWith('.cognitiveservices.azure.com')) return 'azure';
  return 'openai-compatible';
}

/**
 * The `manager_llm` section with every default filled (the provider from `base_url` when the policy names none).
 *
 * @example resolveManagerLlmPolicy(DEFAULT_MANAGER_POLICY) // → { provider: 'openai', max_tool_calls: 8, confirm_ttl_sec: 300, … }
 */
export function resolveManagerLlmPolicy(policy: { manager_llm?: ManagerLlmSection | undefined }): ManagerLlmPolicy {
  const section = policy.manager_llm ?? v.parse(managerLlmSchema, {});
  return { ...section, base_url: section.base_url, model: section.model, provider: section.provider ?? providerForBaseUrl(section.base_url) };
}

const SECRET_FIELD = /api[_-]?key|secret|passw(or)?d|credential|bearer|authorization|(^|[_-])(key|token)$/i;

/**
 * Problems the `manager_llm` section must be refused for before its values are shown anywhere: a field that looks
 * like a key (`api_key`, `token`, …) and a `base_url` that is not a plain http(s) URL. The messages never echo the
 * value, which may be a secret.
 */
export function managerLlmKeyIssues(policy: unknown): string[] {
  if (typeof policy !== 'object' || policy === null) return [];
  const section = (policy as Record<string, unknown>).manager_llm;
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return [];
  const issues: string[] = [];
  for (const field of Object.keys(section)) {
    if (SECRET_FIELD.test(field)) issues.push(`manager_llm.${field}: the policy file must not hold a key; ${KEY_HINT}`);
  }
  const baseUrl = (section as Record<string, unknown>).base_url;
  const problem = typeof baseUrl === 'string' ? baseUrlProblem(baseUrl) : undefined;
  if (problem !== undefined) issues.push(`manager_llm.base_url: ${problem}`);
  return issues;
}
