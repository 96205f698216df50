import { join } from 'node:path';
import { nodeFileProbe, type FileProbe } from './file-probe.js';

/** Skills mode: `agentpr` wraps the prompt in the skills envelope; `off` sends the base prompt. */
export type SkillsMode = 'agentpr' | 'off';

/** The skill plan of one agent step, with snake_case keys, as the task packet stores them. */
export interface SkillPlan {
  mode: SkillsMode;
  run_state: string;
  required_now: string[];
  optional_now: string[];
  missing_required: string[];
  available_optional: string[];
  missing_optional: string[];
  skills_root: string;
}

/** The skills each stage needs: required skill(s), then optional helpers used only if installed. */
export function stageSkills(runState: string): { required: string[]; optional: string[] } {
  switch (runState) {
    case 'DISCOVERY':
    case 'PLAN_READY':
      return { required: ['agentpr-repo-preflight-contract'], optional: [] };
    case 'ITERATING':
    case 'CI_WAIT':
    case 'REVIEW_WAIT':
      return { required: ['agentpr-ci-review-fix'], optional: ['gh-fix-ci', 'gh-address-comments'] };
    default:
      return { required: ['agentpr-implement-and-validate'], optional: [] };
  }
}

/** Names of the installed skills: non-hidden subdirectories of the skills root that contain `SKILL.md`, sorted. */
export function listInstalledSkills(skillsRoot: string, fs: FileProbe = nodeFileProbe): string[] {
  return fs
    .listDir(skillsRoot)
    .filter((name) => !name.startsWith('.') && fs.isDirectory(join(skillsRoot, name)) && fs.exists(join(skillsRoot, name, 'SKILL.md')))
    .sort();
}

/** The skill plan for a run state and the installed skills. In mode `off` every list is empty. Pure. */
export function buildSkillPlan(mode: SkillsMode, runState: string, installed: readonly string[], skillsRoot: string): SkillPlan {
  if (mode === 'off') {
    const none = { required_now: [], optional_now: [], missing_required: [], available_optional: [], missing_optional: [] };
    return { mode, run_state: runState, ...none, skills_root: skillsRoot };
  }
  const { required, optional } = stageSkills(runState);
  const have = new Set(installed);
  return {
    mode,
    run_state: runState,
    required_now: required,
    optional_now: optional,
    missing_required: required.filter((name) => !have.has(name)),
    available_optional: optional.filter((name) => have.has(name)),
    missing_optional: optional.filter((name) => !have.has(name)),
    skills_root: skillsRoot,
  };
}

/** Inputs of {@link buildTaskPacket}. */
export interface TaskPacketInput {
  /** ISO-8601 UTC timestamp (from the caller's clock). */
  createdAt: string;
  run: { runId: string; owner: string; repo: string; promptVersion: string | null; mode: string; state: string };
  repoPath: string;
  policy: { codexSandbox: string; allowAgentPush: boolean; maxChangedFiles: number; maxAddedLines: number };
  artifacts: { contractUri: string | null; contractSourceUri: string | null; contractText: string | null };
  integrationRoot: string;
  skillPlan: SkillPlan;
  /** `--task-packet-file` contents, attached under `user_packet` when given. */
  userPacket?: unknown;
}

/** The `agentpr.task_packet.v1` document. */
export interface TaskPacket {
  version: 'agentpr.task_packet.v1';
  created_at: string;
  run: { run_id: string; owner: string; repo: string; prompt_version: string | null; mode: string; state: string };
  repo: { path: string };
  policy: { codex_sandbox: string; allow_agent_push: boolean; max_changed_files: number; max_added_lines: number };
  artifacts: { contract_uri: string | null; contract_source_uri: string | null; contract_text: string | null };
  docs: { workflow: string; prompt_template: string; pr_template: string };
  skills: SkillPlan;
  required_output: { status: string; files_changed: string; test_results: string; notes: string };
  user_packet?: unknown;
}

/** Builds the task packet for skills mode. Pure; the caller writes it to `<data>/task_packets/`. */
export function buildTaskPacket(input: TaskPacketInput): TaskPacket {
  const packet: TaskPacket = {
    version: 'agentpr.task_packet.v1',
    created_at: input.createdAt,
    run: {
      run_id: input.run.runId,
      owner: input.run.owner,
      repo: input.run.repo,
      prompt_version: input.run.promptVersion,
      mode: input.run.mode,
      state: input.run.state,
    },
    repo: { path: input.repoPath },
    policy: {
      codex_sandbox: input.policy.codexSandbox,
      allow_agent_push: input.policy.allowAgentPush,
      max_changed_files: input.policy.maxChangedFiles,
      max_added_lines: input.policy.maxAddedLines,
    },
    artifacts: {
      contract_uri: input.artifacts.contractUri,
      contract_source_uri: input.artifacts.contractSourceUri,
      contract_text: input.artifacts.contractText,
    },
    docs: {
      workflow: join(input.integrationRoot, 'workflow.md'),
      prompt_template: join(input.integrationRoot, 'prompt_template.md'),
      pr_template: join(input.integrationRoot, 'pr_description_template.md'),
    },
    skills: input.skillPlan,
    required_output: {
      status: 'One of PASS | NEEDS REVIEW | FAIL | SKIP.',
      files_changed: 'Every file you changed, one per line.',
      test_results: 'Each install, test and lint command you ran, with its outcome.',
      notes: 'Blockers, assumptions and anything a reviewer must know.',
    },
  };
  if (input.userPacket !== undefined) packet.user_packet = input.userPacket;
  return packet;
}
