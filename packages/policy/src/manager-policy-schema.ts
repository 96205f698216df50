import * as v from 'valibot';
import { baselineTestsSchema, type BaselineTestsPolicy } from './baseline-policy.js';
import { managerLlmSchema, type ManagerLlmSection } from './manager-llm-policy.js';
import { campaignRulesSchema, campaignsSchema, normalisePricing, pricingSchema, type CampaignRulesInput, type Pricing } from './campaign-policy.js';

// The policy file's shape: every section's valibot schema with its defaults and normalisation, and the types they
// produce. Parsing, loading and the per-repository effective policy live in manager-policy.ts.

/** codex sandbox modes. */
export const CODEX_SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
/** Skills modes. */
export const SKILLS_MODES = ['off', 'agentpr'] as const;
/** The coding-agent CLIs agentpr drives: OpenAI's codex (the default) and Anthropic's Claude Code. */
export const ENGINE_NAMES = ['codex', 'claude'] as const;
/**
 * Claude Code's `--permission-mode` values agentpr accepts. `bypassPermissions` is left out: the sandbox is not a
 * reason to skip Claude's own checks.
 */
export const CLAUDE_PERMISSION_MODES = ['acceptEdits', 'default', 'plan', 'dontAsk'] as const;
/**
 * Tools Claude may use without asking (print mode has nobody to ask): shell, reading and searching. Edits are allowed
 * by `acceptEdits` and kept inside the workspace by Claude.
 */
export const DEFAULT_CLAUDE_ALLOWED_TOOLS = ['Bash', 'Read', 'Glob', 'Grep', 'TodoWrite'] as const;
/** File-writing tools that must never be in `allowed_tools` (allowed outright, Claude 2.1.332 writes anywhere with them unasked). */
const CLAUDE_EDIT_TOOLS: readonly string[] = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit'];
/**
 * Tools Claude never gets: web search runs on Anthropic's side, out of reach of agentpr's egress proxy; web fetch is
 * the network without the proxy's judgement of intent.
 */
export const DEFAULT_CLAUDE_DISALLOWED_TOOLS = ['WebSearch', 'WebFetch'] as const;
/** How the agent is confined: bubblewrap (the default) or nothing (an explicit, loud opt-in). */
export const ISOLATION_LEVELS = ['bwrap', 'none'] as const;
/** The agent's network: through agentpr's allowlisting egress proxy (default), unrestricted, or none. */
export const NETWORK_MODES = ['allowlist', 'on', 'off'] as const;
/**
 * Hosts an agent may reach in `allowlist` mode unless the policy says otherwise: the OpenAI endpoints codex uses and
 * the public package registries. The model endpoint configured in codex's `config.toml` is always added.
 */
export const DEFAULT_NETWORK_ALLOWLIST = [
  'api.openai.com',
  'chatgpt.com',
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'proxy.golang.org',
  'sum.golang.org',
  'index.crates.io',
  'static.crates.io',
  'crates.io',
  'rubygems.org',
  'repo.maven.apache.org',
  'repo1.maven.org',
] as const;
/** Where a PASS converges. */
export const SUCCESS_STATES = ['LOCAL_VALIDATING', 'NEEDS_HUMAN_REVIEW', 'UNCHANGED'] as const;
/** Where a RETRYABLE or HUMAN_REVIEW verdict converges. */
export const FAILURE_TARGET_STATES = ['FAILED_RETRYABLE', 'NEEDS_HUMAN_REVIEW', 'UNCHANGED'] as const;

export type EngineName = (typeof ENGINE_NAMES)[number];
export type ClaudePermissionMode = (typeof CLAUDE_PERMISSION_MODES)[number];
export type CodexSandbox = (typeof CODEX_SANDBOXES)[number];
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];
export type NetworkMode = (typeof NETWORK_MODES)[number];
export type SkillsMode = (typeof SKILLS_MODES)[number];
export type SuccessState = (typeof SUCCESS_STATES)[number];
export type FailureTargetState = (typeof FAILURE_TARGET_STATES)[number];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function clamp(n: number, min: number, max: number | undefined): number {
  return Math.min(max ?? Number.POSITIVE_INFINITY, Math.max(min, n));
}

/** The items once each, in first-seen order. */
export function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function intSchema(min: number, max: number | undefined, description: string) {
  return v.pipe(
    v.number('must be an integer'),
    v.integer('must be an integer'),
    v.metadata(max === undefined ? { minimum: min } : { minimum: min, maximum: max }),
    v.description(description),
    v.transform((n: number) => clamp(n, min, max)),
  );
}

function enumSchema<T extends string>(values: readonly T[], normalise: (s: string) => string, description: string) {
  const message = `must be one of ${values.join(', ')}`;
  return v.pipe(
    v.string(message),
    v.metadata({ enum: [...values] }),
    v.description(description),
    v.check((s: string) => (values as readonly string[]).includes(normalise(s)), message),
    v.transform((s: string) => normalise(s) as T),
  );
}

const lower = (s: string): string => s.trim().toLowerCase();
const upper = (s: string): string => s.trim().toUpperCase();

const allowlistSchema = v.pipe(
  v.array(v.union([v.string(), v.number(), v.boolean()], 'must be a string'), 'must be an array of strings'),
  v.metadata({ items: { type: 'string' } }),
  v.description('Regex patterns (case-insensitive; an invalid regex is a substring) of known baseline test failures. A pattern waives only a failing command whose OWN output matches it.'),
  v.transform((items: Array<string | number | boolean>) => dedupe(items.map((x) => String(x).trim()).filter((x) => x !== ''))),
);

const envPassthroughSchema = v.pipe(
  v.array(v.pipe(v.string('must be a string'), v.trim(), v.regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')), 'must be an array of environment variable names'),
  v.metadata({ items: { type: 'string', pattern: ENV_NAME.source } }),
  v.description('Extra environment variables passed from the parent to the codex worker. Secrets listed here reach the agent.'),
  v.transform((items: string[]) => dedupe(items)),
);

const HOST_RULE = /^(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

const hostListSchema = v.pipe(
  v.array(
    v.pipe(
      v.string('must be a string'),
      v.trim(),
      v.regex(HOST_RULE, 'must be a host name, *.domain, host:port, or [IPv6]:port'),
      v.transform((s: string) => s.toLowerCase()),
    ),
    'must be an array of host names',
  ),
  v.metadata({ items: { type: 'string' } }),
  v.description('Hosts the agent may reach through the egress proxy in allowlist mode: "example.com" (ports 80/443), "example.com:8443", "*.example.com", or a loopback/private endpoint with an explicit port such as "127.0.0.1:4010".'),
  v.transform((items: string[]) => dedupe(items)),
);

const absolutePathsSchema = v.pipe(
  v.array(v.pipe(v.string('must be a string'), v.trim(), v.check((s: string) => s.startsWith('/'), 'must be an absolute path')), 'must be an array of absolute paths'),
  v.metadata({ items: { type: 'string' } }),
  v.description('Extra host directories made visible read-only inside the sandbox (toolchains outside /usr, e.g. /opt/go). Never put secrets here.'),
  v.transform((items: string[]) => dedupe(items)),
);

const envNamesSchema = (description: string) =>
  v.pipe(
    v.array(v.pipe(v.string('must be a string'), v.trim(), v.regex(ENV_NAME, 'must be an environment variable name (letters, digits, _)')), 'must be an array of environment variable names'),
    v.metadata({ items: { type: 'string', pattern: ENV_NAME.source } }),
    v.description(description),
    v.transform((items: string[]) => dedupe(items)),
  );

const sampleDescription = 'Percent (0..100) of PASS attempts whose raw event stream is kept; non-PASS streams are always kept.';

function engineSchema(description: string) {
  return enumSchema(ENGINE_NAMES, lower, description);
}

/** Run states an attempt can start in, for `engine_by_stage` keys. */
const STAGE_KEY = /^[A-Z][A-Z_]*$/;

function engineByStageSchema(description: string) {
  return v.pipe(
    v.record(
      v.pipe(v.string(), v.trim(), v.transform(upper), v.regex(STAGE_KEY, 'keys must be run states such as "DISCOVERY" or "ITERATING"')),
      engineSchema('The engine for this stage.'),
      'must be an object keyed by run state',
    ),
    v.description(description),
  );
}

const toolListSchema = (description: string) =>
  v.pipe(
    v.array(v.pipe(v.string('must be a string'), v.trim(), v.regex(/^[A-Za-z][A-Za-z0-9_]*(?:\([^()\n]{1,200}\))?$/, 'must be a Claude tool name such as "Bash" or a rule such as "Bash(npm test:*)"')), 'must be an array of tool names'),
    v.metadata({ items: { type: 'string' } }),
    v.description(description),
    v.transform((items: string[]) => dedupe(items)),
  );

const claudeSchema = v.strictObject(
  {
    model: v.optional(v.pipe(v.string('must be a string'), v.trim(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/, 'must be a model name such as "claude-sonnet-4-5"'), v.description('Claude model (`--model`); empty: Claude Code\'s default.'))),
    permission_mode: v.optional(enumSchema(CLAUDE_PERMISSION_MODES, (s) => s.trim(), 'Claude `--permission-mode`: acceptEdits (default) lets Claude edit files inside the workspace without asking.'), 'acceptEdits'),
    allowed_tools: v.optional(
      v.pipe(
        toolListSchema('Claude `--allowedTools`: tools it may use without asking. Never Write, Edit, MultiEdit or NotebookEdit: allowed outright they write outside the workspace unasked (acceptEdits already allows edits inside it).'),
        v.check((tools: string[]) => !tools.some((t) => CLAUDE_EDIT_TOOLS.includes(t.replace(/\(.*$/, ''))), `must not contain ${CLAUDE_EDIT_TOOLS.join(', ')}: allowed outright they let Claude write outside the workspace without asking (permission_mode acceptEdits already allows edits inside it)`),
      ),
      [...DEFAULT_CLAUDE_ALLOWED_TOOLS],
    ),
    disallowed_tools: v.optional(toolListSchema('Claude `--disallowedTools`: tools it never gets.'), [...DEFAULT_CLAUDE_DISALLOWED_TOOLS]),
    max_turns: v.optional(intSchema(1, 500, 'Claude `--max-turns`: agentic turns per attempt.'), 40),
  },
  (issue) => (issue.expected === 'never' ? 'unknown field; allowed: model, permission_mode, allowed_tools, disallowed_tools, max_turns' : 'must be an object'),
);

/** The `run_agent_step.claude` section after normalisation. */
export type ClaudePolicy = v.InferOutput<typeof claudeSchema>;

/** The fields a `repo_overrides` entry may set. */
export const REPO_OVERRIDE_FIELDS = [
  'max_agent_seconds',
  'max_changed_files',
  'max_added_lines',
  'max_retryable_attempts',
  'min_test_commands',
  'success_event_stream_sample_pct',
  'known_test_failure_allowlist',
  'skills_mode',
  'network',
  'network_allowlist',
  'allow_agent_push',
  'engine',
  'engine_by_stage',
] as const;

const repoOverrideSchema = v.strictObject(
  {
    max_agent_seconds: v.optional(intSchema(0, undefined, 'Agent timeout in seconds for this repo (0 = none).')),
    max_changed_files: v.optional(intSchema(0, undefined, 'Changed-files budget for this repo (0 = unlimited).')),
    max_added_lines: v.optional(intSchema(0, undefined, 'Added-lines budget for this repo (0 = unlimited).')),
    max_retryable_attempts: v.optional(intSchema(0, undefined, 'Consecutive RETRYABLE verdicts allowed in one stage (0 = no cap).')),
    min_test_commands: v.optional(intSchema(0, undefined, 'Successful test commands required in implementing stages.')),
    success_event_stream_sample_pct: v.optional(intSchema(0, 100, sampleDescription)),
    known_test_failure_allowlist: v.optional(allowlistSchema),
    skills_mode: v.optional(enumSchema(SKILLS_MODES, lower, 'Skills mode for this repo.')),
    network: v.optional(enumSchema(NETWORK_MODES, lower, 'Network mode for this repo.')),
    network_allowlist: v.optional(hostListSchema),
    allow_agent_push: v.optional(v.pipe(v.boolean('must be true or false'), v.description('Grants --allow-agent-push for this repository (the agent then holds a GitHub token). Audited on every step.'))),
    engine: v.optional(engineSchema('The agent engine for this repository.')),
    engine_by_stage: v.optional(engineByStageSchema('The agent engine for this repository per stage; wins over `engine`.')),
  },
  (issue) => (issue.expected === 'never' ? `unknown field; allowed: ${REPO_OVERRIDE_FIELDS.join(', ')}` : 'must be an object'),
);

const runAgentStepSchema = v.object(
  {
    engine: v.optional(engineSchema('The coding-agent CLI that runs agent steps: codex (default) or claude.'), 'codex'),
    engine_by_stage: v.optional(engineByStageSchema('The engine per stage (the run state an attempt starts in, e.g. "DISCOVERY", "ITERATING"); wins over `engine`.'), {}),
    claude: v.optional(claudeSchema, {}),
    codex_sandbox: v.optional(enumSchema(CODEX_SANDBOXES, lower, 'codex --sandbox mode.'), 'danger-full-access'),
    skills_mode: v.optional(enumSchema(SKILLS_MODES, lower, 'off: plain prompt; agentpr: stage skills.'), 'off'),
    max_agent_seconds: v.optional(intSchema(0, undefined, 'Agent timeout in seconds (0 = none).'), 900),
    max_changed_files: v.optional(intSchema(0, undefined, 'Changed-files budget of an attempt (0 = unlimited).'), 8),
    max_added_lines: v.optional(intSchema(0, undefined, 'Added-lines budget of an attempt (0 = unlimited).'), 150),
    max_retryable_attempts: v.optional(intSchema(0, undefined, 'Consecutive RETRYABLE verdicts allowed in one stage (0 = no cap).'), 3),
    min_test_commands: v.optional(intSchema(0, undefined, 'Successful test commands required in implementing stages.'), 1),
    known_test_failure_allowlist: v.optional(allowlistSchema, []),
    success_event_stream_sample_pct: v.optional(intSchema(0, 100, sampleDescription), 15),
    success_state: v.optional(enumSchema(SUCCESS_STATES, upper, 'Where a PASS converges.'), 'LOCAL_VALIDATING'),
    on_retryable_state: v.optional(enumSchema(FAILURE_TARGET_STATES, upper, 'Where a RETRYABLE verdict converges.'), 'FAILED_RETRYABLE'),
    on_human_review_state: v.optional(enumSchema(FAILURE_TARGET_STATES, upper, 'Where a HUMAN_REVIEW verdict converges.'), 'NEEDS_HUMAN_REVIEW'),
    env_passthrough: v.optional(envPassthroughSchema, []),
    isolation: v.optional(enumSchema(ISOLATION_LEVELS, lower, 'bwrap: the agent runs in a bubblewrap sandbox (default). none: no confinement at all, an explicit opt-in that warns on every step.'), 'bwrap'),
    network: v.optional(enumSchema(NETWORK_MODES, lower, 'allowlist: only network_allowlist hosts through the egress proxy (default); on: unrestricted; off: no network. Enforced under bwrap only.'), 'allowlist'),
    network_allowlist: v.optional(hostListSchema, [...DEFAULT_NETWORK_ALLOWLIST]),
    provider_env_allowlist: v.optional(envNamesSchema('Variables a custom model provider (env_key in codex config.toml) may take from agentpr\'s environment, besides OPENAI_API_KEY and CODEX_API_KEY.'), []),
    sandbox_read_paths: v.optional(absolutePathsSchema, []),
    repo_overrides: v.optional(
      v.pipe(
        v.record(v.string(), repoOverrideSchema, 'must be an object keyed by "owner/repo" or "repo"'),
        v.description('Per-repository overrides keyed by "owner/repo" or "repo" (case-insensitive). The bare-repo key is applied last.'),
      ),
      {},
    ),
  },
  'must be an object',
);

const auditPathSchema = (def: string) =>
  v.optional(
    v.pipe(
      v.string('must be a string'),
      v.metadata({ minLength: 1 }),
      v.description('Audit JSONL path; relative paths are resolved against the data directory.'),
      v.check((s: string) => s.trim() !== '', 'must not be empty'),
      v.transform((s: string) => s.trim()),
    ),
    def,
  );

const telegramBotSchema = v.object(
  {
    poll_timeout_sec: v.optional(intSchema(1, undefined, 'Long-poll timeout in seconds.'), 30),
    idle_sleep_sec: v.optional(intSchema(1, undefined, 'Pause between polls after an error, in seconds.'), 2),
    list_limit: v.optional(intSchema(1, undefined, 'Runs listed by /list.'), 20),
    rate_limit_window_sec: v.optional(intSchema(1, undefined, 'Rate-limit window in seconds.'), 60),
    rate_limit_per_chat: v.optional(intSchema(1, undefined, 'Commands per chat per window.'), 12),
    rate_limit_global: v.optional(intSchema(1, undefined, 'Commands from all chats per window.'), 120),
    audit_log_file: auditPathSchema('reports/telegram_audit.jsonl'),
    audit_max_bytes: v.optional(intSchema(1024, undefined, 'Rotate the audit log above this size.'), 10_485_760),
    audit_keep_files: v.optional(intSchema(1, undefined, 'Rotated audit files kept.'), 5),
  },
  'must be an object',
);

const githubWebhookSchema = v.object(
  {
    max_payload_bytes: v.optional(intSchema(1024, undefined, 'Largest accepted webhook body.'), 1_048_576),
    audit_log_file: auditPathSchema('reports/github_webhook_audit.jsonl'),
    audit_max_bytes: v.optional(intSchema(1024, undefined, 'Rotate the audit log above this size.'), 10_485_760),
    audit_keep_files: v.optional(intSchema(1, undefined, 'Rotated audit files kept.'), 5),
  },
  'must be an object',
);

const managerSchema = v.object(
  {
    max_retries_per_run: v.optional(intSchema(0, undefined, 'Automatic retries per run before escalating (0 = escalate at once).'), 3),
    action_timeout_sec: v.optional(intSchema(1, undefined, 'Time limit of one manager action in seconds.'), 1800),
  },
  'must be an object',
);

/**
 * The valibot schema of the manager policy file: every field optional with its built-in default,
 * values normalised (integers clamped, enums case-folded, lists trimmed and de-duplicated). It is also the
 * source of the shipped JSON Schema.
 */
export const ManagerPolicyFileSchema = v.pipe(
  v.object(
    {
      $schema: v.optional(v.string()),
      run_agent_step: v.optional(runAgentStepSchema, {}),
      telegram_bot: v.optional(telegramBotSchema, {}),
      github_webhook: v.optional(githubWebhookSchema, {}),
      manager: v.optional(managerSchema, {}),
      baseline_tests: v.optional(baselineTestsSchema, {}),
      manager_llm: v.optional(managerLlmSchema, {}),
      campaign_defaults: v.optional(v.pipe(campaignRulesSchema, v.description('Rules every campaign follows unless campaigns.<name> says otherwise: AI-policy actions, duplicate search, PR etiquette, stale follow-up.')), {}),
      campaigns: v.optional(campaignsSchema, {}),
      pricing: v.optional(v.pipe(pricingSchema, v.transform(normalisePricing)), {}),
      offline: v.optional(
        v.pipe(v.boolean('must be true or false'), v.description('Local and offline mode: the startup gate checks the configured GitHub API URL and the local remotes instead of github.com and GitHub auth (also --offline or AGENTPR_OFFLINE=1).')),
        false,
      ),
    },
    'must be a JSON object',
  ),
  v.title('agentpr manager policy'),
  v.description('Policy for agentpr run-agent-step, the Telegram bot, the GitHub webhook, the manager loop and the manager LLM the operator talks to. Every field is optional; missing fields take the built-in defaults.'),
);

/** A `repo_overrides` entry after normalisation. */
export type RepoOverride = v.InferOutput<typeof repoOverrideSchema>;

/** The `run_agent_step` section after normalisation; `repo_overrides` keys are lower-cased. */
export type RunAgentStepPolicy = v.InferOutput<typeof runAgentStepSchema>;

/** The manager policy after validation and defaults. */
export interface ManagerPolicy {
  run_agent_step: RunAgentStepPolicy;
  telegram_bot: v.InferOutput<typeof telegramBotSchema>;
  github_webhook: v.InferOutput<typeof githubWebhookSchema>;
  manager: v.InferOutput<typeof managerSchema>;
  /** The test run on the untouched base commit at run-prepare (see `effectiveBaselinePolicy`). */
  baseline_tests: BaselineTestsPolicy;
  /** The natural-language operator's model, budgets and prices (see `resolveManagerLlmPolicy`). */
  manager_llm: ManagerLlmSection;
  /** Rules every campaign follows unless `campaigns` overrides them (see `effectiveCampaignRules`). */
  campaign_defaults: CampaignRulesInput;
  /** Rules per campaign name (keys as written; matched case-insensitively). */
  campaigns: Record<string, CampaignRulesInput>;
  /** The price table for the agent's tokens (see `priceFor`). */
  pricing: Pricing;
  /** Local and offline mode (see `resolveOfflineMode`). */
  offline: boolean;
}

/** The known fields of each section, for the unknown-field warnings. */
export const SECTION_KEYS: Record<string, readonly string[]> = {
  run_agent_step: Object.keys(runAgentStepSchema.entries),
  telegram_bot: Object.keys(telegramBotSchema.entries),
  github_webhook: Object.keys(githubWebhookSchema.entries),
  manager: Object.keys(managerSchema.entries),
  baseline_tests: Object.keys(baselineTestsSchema.entries),
  manager_llm: Object.keys(managerLlmSchema.entries),
  campaign_defaults: Object.keys(campaignRulesSchema.entries),
  campaigns: [],
  pricing: Object.keys(pricingSchema.entries),
};
