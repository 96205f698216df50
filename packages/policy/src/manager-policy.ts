import * as v from 'valibot';
import { PolicyError } from './errors.js';
import { managerLlmKeyIssues } from './manager-llm-policy.js';
import { campaignArrayIssues } from './campaign-policy.js';
import { dedupe, ManagerPolicyFileSchema, SECTION_KEYS, type ClaudePolicy, type CodexSandbox, type EngineName, type FailureTargetState, type IsolationLevel, type ManagerPolicy, type NetworkMode, type RepoOverride, type SkillsMode, type SuccessState } from './manager-policy-schema.js';
import { parseJsonText, readTextFile, shownValue, type ReadTextFile } from './read-text-file.js';

export { CODEX_SANDBOXES, SKILLS_MODES, ISOLATION_LEVELS, NETWORK_MODES, DEFAULT_NETWORK_ALLOWLIST, SUCCESS_STATES, FAILURE_TARGET_STATES, REPO_OVERRIDE_FIELDS, ManagerPolicyFileSchema, ENGINE_NAMES, CLAUDE_PERMISSION_MODES, DEFAULT_CLAUDE_ALLOWED_TOOLS, DEFAULT_CLAUDE_DISALLOWED_TOOLS } from './manager-policy-schema.js';
export type { CodexSandbox, IsolationLevel, NetworkMode, SkillsMode, SuccessState, FailureTargetState, RepoOverride, RunAgentStepPolicy, ManagerPolicy, EngineName, ClaudePolicy, ClaudePermissionMode } from './manager-policy-schema.js';

/** Formats valibot issues as `path.to.field: message (got <value>)`. */
export function formatIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    const unknownField = issue.expected === 'never';
    const got = unknownField ? '' : ` (got ${shownValue(issue.input)})`;
    return `${path || '(top level)'}: ${issue.message}${got}`;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** valibot's object schemas accept arrays; the policy file must not. */
function arraysWhereObjectsBelong(value: unknown): string[] {
  if (!isPlainObject(value)) return [`(top level): must be a JSON object (got ${shownValue(value)})`];
  const issues: string[] = [];
  for (const key of Object.keys(SECTION_KEYS)) {
    const section = value[key];
    if (section !== undefined && !isPlainObject(section)) issues.push(`${key}: must be an object (got ${shownValue(section)})`);
  }
  issues.push(...campaignArrayIssues(value));
  const ras = value.run_agent_step;
  if (isPlainObject(ras) && ras.repo_overrides !== undefined) {
    const ro = ras.repo_overrides;
    if (!isPlainObject(ro)) issues.push(`run_agent_step.repo_overrides: must be an object keyed by "owner/repo" or "repo" (got ${shownValue(ro)})`);
    else for (const [k, entry] of Object.entries(ro)) if (!isPlainObject(entry)) issues.push(`run_agent_step.repo_overrides.${k}: must be an object (got ${shownValue(entry)})`);
  }
  return issues;
}

/** The outcome of validating a policy value. */
export type PolicyParseResult = { ok: true; policy: ManagerPolicy; warnings: string[] } | { ok: false; issues: string[] };

/**
 * Validates and normalises a parsed policy object. Unknown keys are ignored with a warning,
 * except inside `repo_overrides` entries, where they are errors. Override keys are trimmed and lower-cased;
 * an empty key or two keys that normalise alike are errors.
 */
export function parseManagerPolicy(value: unknown): PolicyParseResult {
  const shapeIssues = [...arraysWhereObjectsBelong(value), ...managerLlmKeyIssues(value)];
  if (shapeIssues.length) return { ok: false, issues: shapeIssues };
  const result = v.safeParse(ManagerPolicyFileSchema, value);
  if (!result.success) return { ok: false, issues: formatIssues(result.issues) };
  const warnings: string[] = [];
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key === '$schema' || key === 'offline') continue;
    const known = SECTION_KEYS[key];
    if (!known) {
      warnings.push(`${key}: unknown key (ignored); known keys: ${Object.keys(SECTION_KEYS).join(', ')}`);
      continue;
    }
    const section = raw[key];
    if (typeof section === 'object' && section !== null) {
      if (key !== 'campaigns') for (const sub of Object.keys(section)) if (!known.includes(sub)) warnings.push(`${key}.${sub}: unknown key (ignored)`);
    }
  }
  const { $schema: _schema, ...parsed } = result.output;
  const overrides: Record<string, RepoOverride> = {};
  const issues: string[] = [];
  for (const [rawKey, entry] of Object.entries(parsed.run_agent_step.repo_overrides)) {
    const key = rawKey.trim().toLowerCase();
    if (key === '') {
      issues.push(`run_agent_step.repo_overrides.${JSON.stringify(rawKey)}: the key must be "owner/repo" or "repo", not empty`);
      continue;
    }
    if (key in overrides) {
      issues.push(`run_agent_step.repo_overrides.${rawKey}: duplicates another key that also normalises to "${key}"`);
      continue;
    }
    overrides[key] = entry;
  }
  if (issues.length) return { ok: false, issues };
  return { ok: true, policy: { ...parsed, run_agent_step: { ...parsed.run_agent_step, repo_overrides: overrides } }, warnings };
}

/** The built-in defaults (the policy used when no file exists). */
export const DEFAULT_MANAGER_POLICY: ManagerPolicy = (() => {
  const r = parseManagerPolicy({});
  if (!r.ok) throw new Error(`built-in policy defaults are invalid: ${r.issues.join('; ')}`);
  return r.policy;
})();

/** What {@link loadPolicy} returns. */
export type PolicyLoadResult = { ok: true; policy: ManagerPolicy; loaded: boolean; path: string; warnings: string[] } | { ok: false; error: PolicyError };

/**
 * Loads the manager policy file. A missing file gives the built-in defaults with `loaded: false`.
 * Bad JSON gives a `PolicyError` with code `invalid_json` and a message starting `invalid JSON:` (the CLI exits
 * 2); invalid values give code `invalid_policy` with `<file>: path.to.field: message` (exit 1). Unknown keys
 * come back as warnings.
 *
 * @example
 * const r = await loadPolicy(ctx.paths.policyFile);
 * if (!r.ok) throw r.error;
 * const eff = effectivePolicy(r.policy, 'mem0ai', 'mem0');
 */
export async function loadPolicy(path: string, readFile: ReadTextFile = readTextFile): Promise<PolicyLoadResult> {
  let text: string | undefined;
  try {
    text = await readFile(path);
  } catch (err) {
    return { ok: false, error: new PolicyError('unreadable', `${path}: cannot read the policy file: ${(err as Error).message}`, { file: path, cause: err }) };
  }
  if (text === undefined) return { ok: true, policy: DEFAULT_MANAGER_POLICY, loaded: false, path, warnings: [] };
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, error: new PolicyError('invalid_json', `invalid JSON: ${path}: ${parsed.message}`, { file: path }) };
  const r = parseManagerPolicy(parsed.value);
  if (!r.ok) return { ok: false, error: new PolicyError('invalid_policy', `${path}: ${r.issues.join('; ')}`, { file: path, issues: r.issues }) };
  return { ok: true, policy: r.policy, loaded: true, path, warnings: r.warnings.map((w) => `${path}: ${w}`) };
}

/** The values of `run_agent_step` that apply to one repository: the global values with the repository overrides applied. */
export interface EffectivePolicy {
  /** The repository's engine before stage overrides; use {@link engineForStage} for an attempt's engine. */
  engine: EngineName;
  /** `repo` when a repository override set `engine`, else `default`. */
  engine_source: 'repo' | 'default';
  /** Engines per run state: the global map, then the repository's entries over it. */
  engine_by_stage: Record<string, EngineName>;
  /** Where each stage's engine came from, for `engine_by_stage` entries (`repo` or `global`). */
  engine_by_stage_source: Record<string, 'repo' | 'global'>;
  /** How Claude runs (model, permission mode, tools, turns). */
  claude: ClaudePolicy;
  codex_sandbox: CodexSandbox;
  isolation: IsolationLevel;
  network: NetworkMode;
  network_allowlist: string[];
  allow_agent_push: boolean;
  skills_mode: SkillsMode;
  max_agent_seconds: number;
  max_changed_files: number;
  max_added_lines: number;
  max_retryable_attempts: number;
  min_test_commands: number;
  known_test_failure_allowlist: string[];
  success_event_stream_sample_pct: number;
  success_state: SuccessState;
  on_retryable_state: FailureTargetState;
  on_human_review_state: FailureTargetState;
}

/** The override keys that apply to `owner/repo`, in application order (`owner/repo`, then `repo`). */
export function repoOverrideKeys(owner: string, repo: string): string[] {
  const r = repo.trim().toLowerCase();
  return [`${owner.trim().toLowerCase()}/${r}`, r];
}

/**
 * The effective policy for a repository: the global `run_agent_step` values, then the override
 * for `owner/repo`, then the one for `repo` (both case-insensitive; the bare-repo key wins). Integers and
 * `skills_mode` replace; `known_test_failure_allowlist` is concatenated and de-duplicated.
 */
export function effectivePolicy(policy: ManagerPolicy, owner: string, repo: string): EffectivePolicy {
  const g = policy.run_agent_step;
  const eff: EffectivePolicy = {
    engine: g.engine,
    engine_source: 'default',
    engine_by_stage: { ...g.engine_by_stage },
    engine_by_stage_source: Object.fromEntries(Object.keys(g.engine_by_stage).map((k) => [k, 'global' as const])),
    claude: { ...g.claude, allowed_tools: [...g.claude.allowed_tools], disallowed_tools: [...g.claude.disallowed_tools] },
    codex_sandbox: g.codex_sandbox,
    isolation: g.isolation,
    network: g.network,
    network_allowlist: [...g.network_allowlist],
    allow_agent_push: false,
    skills_mode: g.skills_mode,
    max_agent_seconds: g.max_agent_seconds,
    max_changed_files: g.max_changed_files,
    max_added_lines: g.max_added_lines,
    max_retryable_attempts: g.max_retryable_attempts,
    min_test_commands: g.min_test_commands,
    known_test_failure_allowlist: [...g.known_test_failure_allowlist],
    success_event_stream_sample_pct: g.success_event_stream_sample_pct,
    success_state: g.success_state,
    on_retryable_state: g.on_retryable_state,
    on_human_review_state: g.on_human_review_state,
  };
  for (const key of repoOverrideKeys(owner, repo)) {
    const o = g.repo_overrides[key];
    if (!o) continue;
    if (o.max_agent_seconds !== undefined) eff.max_agent_seconds = o.max_agent_seconds;
    if (o.max_changed_files !== undefined) eff.max_changed_files = o.max_changed_files;
    if (o.max_added_lines !== undefined) eff.max_added_lines = o.max_added_lines;
    if (o.max_retryable_attempts !== undefined) eff.max_retryable_attempts = o.max_retryable_attempts;
    if (o.min_test_commands !== undefined) eff.min_test_commands = o.min_test_commands;
    if (o.success_event_stream_sample_pct !== undefined) eff.success_event_stream_sample_pct = o.success_event_stream_sample_pct;
    if (o.skills_mode !== undefined) eff.skills_mode = o.skills_mode;
    if (o.known_test_failure_allowlist !== undefined) {
      eff.known_test_failure_allowlist = dedupe([...eff.known_test_failure_allowlist, ...o.known_test_failure_allowlist]);
    }
    if (o.network !== undefined) eff.network = o.network;
    if (o.network_allowlist !== undefined) eff.network_allowlist = dedupe([...eff.network_allowlist, ...o.network_allowlist]);
    if (o.allow_agent_push !== undefined) eff.allow_agent_push = o.allow_agent_push;
    if (o.engine !== undefined) {
      eff.engine = o.engine;
      eff.engine_source = 'repo';
      // A repository's engine wins over the global per-stage map; its own per-stage entries win over both.
      for (const [stage, source] of Object.entries(eff.engine_by_stage_source)) {
        if (source === 'global') {
          delete eff.engine_by_stage[stage];
          delete eff.engine_by_stage_source[stage];
        }
      }
    }
    for (const [stage, engine] of Object.entries(o.engine_by_stage ?? {})) {
      eff.engine_by_stage[stage] = engine;
      eff.engine_by_stage_source[stage] = 'repo';
    }
  }
  return eff;
}

/** An attempt's engine and the rule that chose it. */
export interface EngineChoice {
  engine: EngineName;
  /** `flag` (`--engine`), `repo_stage`, `repo`, `stage`, or `default` (`run_agent_step.engine`). */
  source: 'flag' | 'repo_stage' | 'repo' | 'stage' | 'default';
}

/**
 * The engine of an attempt that starts in `stage`, most specific first: the `--engine` flag, the repository's
 * `engine_by_stage`, the repository's `engine`, the global `engine_by_stage`, then `run_agent_step.engine`.
 * @example engineForStage(effectivePolicy(policy, 'o', 'r'), 'ITERATING') // { engine: 'claude', source: 'stage' }
 */
export function engineForStage(eff: EffectivePolicy, stage: string, flag?: EngineName | undefined): EngineChoice {
  if (flag) return { engine: flag, source: 'flag' };
  const key = stage.trim().toUpperCase();
  const byStage = eff.engine_by_stage[key];
  const source = eff.engine_by_stage_source[key];
  if (byStage && source === 'repo') return { engine: byStage, source: 'repo_stage' };
  if (byStage && source === 'global') return { engine: byStage, source: 'stage' };
  return { engine: eff.engine, source: eff.engine_source };
}
