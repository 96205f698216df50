import { isAbsolute, resolve } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** Inputs of {@link buildSafetyContract}. */
export interface SafetyContractOptions {
  /** Absolute path of the repository (workspace). */
  repoDir: string;
  /** `<repo>/.agentpr_runtime`, the writable scratch and cache area. */
  runtimeDir: string;
  /** Paths the agent may read outside the repository (listed only when non-empty). */
  externalReadOnlyPaths?: readonly string[];
  /** `--allow-agent-push`: commit and push allowed after all required checks pass. */
  allowAgentPush?: boolean;
}

/**
 * The safety contract that opens every agent prompt, in agentpr's own words. Advisory text only: it is
 * enforced by the isolation level (bwrap) and checked afterwards by the classifier. Pure.
 */
export function buildSafetyContract(options: SafetyContractOptions): string {
  const lines = [
    'AGENTPR SAFETY CONTRACT (these rules override anything below)',
    '',
    `- Work only inside the repository at ${options.repoDir}.`,
    `- Your writable scratch and cache area is ${options.runtimeDir}; put caches, downloads and temporary files there.`,
    '- Do not write anywhere except the repository, that scratch area and /tmp.',
  ];
  const readable = options.externalReadOnlyPaths ?? [];
  if (readable.length > 0) {
    lines.push('- Do not read outside the repository, except these read-only paths:');
    for (const path of readable) lines.push(`  - ${path}`);
  } else {
    lines.push('- Do not read outside the repository.');
  }
  lines.push(
    '- Never use sudo.',
    '- Never install anything globally (for example `brew install`, `npm -g`, `pip install --user` or a system-wide pip, `uv tool install`, `poetry self`).',
    '- Use only project-local environments and dependencies: `.venv`, `node_modules`, `.agentpr_runtime`.',
  );
  if (options.allowAgentPush) {
    lines.push('- You may commit and push, but only after every required test and lint command passes, and only with the minimal intended diff.');
  } else {
    lines.push('- Do not run `git commit`, `git push` or the finish script: the manager commits and pushes your work.');
  }
  lines.push('- If a required step needs writes outside the repository or a global change, stop and report NEEDS REVIEW with the reason.');
  return `${lines.join('\n')}\n`;
}

/**
 * The final prompt: the safety contract, a line `---`, a blank line, then the inner prompt (the base
 * prompt, or the skills envelope). Pure.
 * @example buildPrompt(buildSafetyContract({ repoDir, runtimeDir }), basePrompt)
 */
export function buildPrompt(safetyContract: string, innerPrompt: string): string {
  return `${safetyContract.trimEnd()}\n---\n\n${innerPrompt}`;
}

/** Inputs of {@link buildSkillsEnvelope}. */
export interface SkillsEnvelopeOptions {
  /** The run state whose stage the agent must run. */
  runState: string;
  /** Required skills, in order (without `$`). */
  requiredSkills: readonly string[];
  /** Installed optional helper skills (without `$`); the list is shown only when non-empty. */
  optionalSkills?: readonly string[];
  /** The task packet, embedded as a fenced JSON block. */
  taskPacket: unknown;
  /** The operator's base prompt; trimmed. */
  basePrompt: string;
}

/**
 * The inner prompt in skills mode `agentpr`: run exactly one stage, the required skills in order, the
 * optional helpers, the stage rules, the task packet as a fenced JSON block, then the base prompt. Pure.
 */
export function buildSkillsEnvelope(options: SkillsEnvelopeOptions): string {
  const lines = [
    `Skills mode is on. Run exactly one stage: the one for the current run state, ${options.runState}.`,
    '',
    'Use these skills in this order; do not skip any of them:',
    ...options.requiredSkills.map((skill) => `- $${skill}`),
  ];
  const optional = options.optionalSkills ?? [];
  if (optional.length > 0) {
    lines.push('', 'Optional helper skills, installed here; use them when they help:', ...optional.map((skill) => `- $${skill}`));
  }
  lines.push(
    '',
    'Stage rules:',
    "- Keep the diff minimal and follow the repository's contribution rules.",
    "- Run install, test and lint commands exactly as the repository's docs and CI require.",
    '- If the environment or the policy blocks you, stop and report NEEDS REVIEW with concrete evidence.',
    '- Respect the push policy in the task packet.',
    '',
    'Task packet:',
    '```json',
    JSON.stringify(options.taskPacket, null, 2),
    '```',
    '',
    'Base prompt (follow it as well):',
    options.basePrompt.trim(),
    '',
  );
  return lines.join('\n');
}

/** Inputs of {@link resolveExternalReadOnlyPaths}. */
export interface ExternalReadOnlyPathsOptions {
  /** The shipped integration root; always listed (resolved). */
  integrationRoot?: string | null;
  /** Extra roots listed when they exist, e.g. a sibling checkout such as `<integration_root>/../../forge`. */
  extraRoots?: readonly string[];
  /** The codex skills root; listed in skills mode `agentpr` when it exists. */
  skillsRoot?: string | null;
  /** `--allow-read-path` values; those that do not exist are dropped silently. */
  allowReadPaths?: readonly string[];
  /** Base for relative paths. Required when any path is relative. */
  cwd?: string;
}

/**
 * The external read-only paths for the safety contract, in order, de-duplicated by resolved absolute path:
 * the integration root, the existing extra roots, the existing skills root, the existing `--allow-read-path`s.
 */
export function resolveExternalReadOnlyPaths(options: ExternalReadOnlyPathsOptions, fs: FileProbe = nodeFileProbe): string[] {
  const out: string[] = [];
  const add = (path: string | null | undefined, mustExist: boolean): void => {
    if (!path?.trim()) return;
    const absolute = isAbsolute(path) ? resolve(path) : resolve(options.cwd ?? '/', path);
    if (mustExist && !fs.exists(absolute)) return;
    if (!out.includes(absolute)) out.push(absolute);
  };
  add(options.integrationRoot, false);
  for (const root of options.extraRoots ?? []) add(root, true);
  add(options.skillsRoot, true);
  for (const path of options.allowReadPaths ?? []) add(path, true);
  return out;
}
