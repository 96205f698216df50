export {
  ManagerPolicyFileSchema,
  parseManagerPolicy,
  loadPolicy,
  effectivePolicy,
  engineForStage,
  repoOverrideKeys,
  formatIssues,
  DEFAULT_MANAGER_POLICY,
  CODEX_SANDBOXES,
  SKILLS_MODES,
  SUCCESS_STATES,
  FAILURE_TARGET_STATES,
  REPO_OVERRIDE_FIELDS,
  ISOLATION_LEVELS,
  NETWORK_MODES,
  DEFAULT_NETWORK_ALLOWLIST,
  ENGINE_NAMES,
  CLAUDE_PERMISSION_MODES,
  DEFAULT_CLAUDE_ALLOWED_TOOLS,
  DEFAULT_CLAUDE_DISALLOWED_TOOLS,
} from './manager-policy.js';
export type {
  ManagerPolicy,
  RunAgentStepPolicy,
  RepoOverride,
  EffectivePolicy,
  PolicyParseResult,
  PolicyLoadResult,
  CodexSandbox,
  SkillsMode,
  SuccessState,
  FailureTargetState,
  IsolationLevel,
  NetworkMode,
  EngineName,
  EngineChoice,
  ClaudePolicy,
  ClaudePermissionMode,
} from './manager-policy.js';
export {
  BUILTIN_RUNTIME_ENV_TEMPLATES,
  RUNTIME_ENV_DIRECTORY_KEYS,
  RUNTIME_ENV_PLACEHOLDERS,
  RuntimeEnvOverridesSchema,
  runtimeDirsFor,
  expandTemplate,
  parseRuntimeEnvOverrides,
  loadRuntimeEnvOverrides,
  resolveRuntimeEnv,
} from './runtime-env.js';
export type { RuntimeEnvDirs, TemplateError, RuntimeEnvLoadResult, ResolvedRuntimeEnv } from './runtime-env.js';
export { readTextFile } from './read-text-file.js';
export type { ReadTextFile } from './read-text-file.js';
export { PolicyError } from './errors.js';
export type { PolicyErrorCode } from './errors.js';
export { resolveOfflineMode, isLoopbackUrl, isLocalRemote, OFFLINE_ENV, OFFLINE_HINT } from './offline-mode.js';
export type { OfflineMode, OfflineModeInput, OfflineSource } from './offline-mode.js';
export { baselineTestsSchema, effectiveBaselinePolicy } from './baseline-policy.js';
export type { BaselineTestsPolicy, EffectiveBaselinePolicy } from './baseline-policy.js';
export { managerLlmSchema, resolveManagerLlmPolicy, providerForBaseUrl, MANAGER_LLM_PROVIDERS, DEFAULT_AZURE_API_VERSION } from './manager-llm-policy.js';
export type { ManagerLlmPolicy, ManagerLlmProvider, ManagerLlmSection } from './manager-llm-policy.js';
export {
  AI_STANCES,
  AI_POLICY_ACTIONS,
  WEEKDAYS,
  DEFAULT_DISCLOSURE,
  DEFAULT_FOLLOWUP_TEMPLATE,
  DEFAULT_CLOSE_TEMPLATE,
  BUILTIN_CAMPAIGN_RULES,
  EMPTY_PRICING,
  campaignRulesSchema,
  campaignsSchema,
  pricingSchema,
  effectiveCampaignRules,
  normalisePricing,
  priceFor,
} from './campaign-policy.js';
export type { AiStance, AiPolicyAction, Weekday, ScheduleWindow, EffectiveEtiquette, EffectiveCampaignRules, ModelPrice, Pricing, CampaignRulesInput, PricingInput } from './campaign-policy.js';
