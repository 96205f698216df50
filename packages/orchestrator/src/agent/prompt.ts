import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { buildPrompt, buildSafetyContract, buildSkillPlan, buildSkillsEnvelope, buildTaskPacket, listInstalledSkills, type SkillPlan } from '@agentpr/codex-runner';
import { addArtifact, latestArtifact } from '@agentpr/store';
import { readAgentFile, writeOwnFile } from '@agentpr/workspace';
import { AgentprError } from '../errors.js';
import type { RefusedAgentStep } from './agent-step-result.js';
import { gatherCiReviewFeedback, renderFeedbackSection, type CiReviewFeedback } from './ci-review-feedback.js';
import { recordRefusal } from './converge.js';
import type { AttemptEnvironment } from './environment.js';
import type { StepScope } from './parameters.js';
import { readRepoRules, repoRulesSection, type RepoRules } from './repo-rules.js';

/** The final prompt, and what agentpr mode added to it. */
export interface AttemptPrompt {
  prompt: string;
  skillPlan: SkillPlan | null;
  taskPacketPath: string | null;
}

function readUserPacket(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new AgentprError('io', `cannot read --task-packet-file ${path}: ${(error as Error).message}`);
  }
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (extname(path).toLowerCase() === '.json') throw new AgentprError('invalid_json', `invalid JSON: --task-packet-file ${path}: ${(error as Error).message}`);
    return { text };
  }
}

/** The failing checks and reviews of the run's PR, or null without a PR or a GitHub client (never throws). */
async function ciReviewFeedback(s: StepScope): Promise<CiReviewFeedback | null> {
  const run = s.run.run;
  if (s.stage !== 'ITERATING' || run.pr_number === null) return null;
  try {
    const github = await s.ctx.github.client();
    if (!github) return null;
    return await gatherCiReviewFeedback(s.ctx.db, github, { owner: run.owner, repo: run.repo }, run.run_id, run.pr_number);
  } catch (error) {
    s.ctx.log.warn(`CI and review feedback not gathered: ${(error as Error).message.split('\n')[0]}`, { run_id: run.run_id });
    return null;
  }
}

/**
 * The run's contract, read as hostile input (it may come from an agent's last message) and copied into this
 * attempt's own home (a fresh directory the agent could not have prepared), never into the workspace.
 */
interface PacketContract {
  contractUri: string | null;
  contractSourceUri: string | null;
  contractText: string | null;
}

async function contractForPacket(s: StepScope, attemptHome: string): Promise<PacketContract> {
  const contract = await latestArtifact(s.ctx.db, s.runId, 'contract');
  if (!contract) return { contractUri: null, contractSourceUri: null, contractText: null };
  const read = await readAgentFile(contract.uri, { maxBytes: 256 * 1024 });
  if (!read.ok) return { contractUri: contract.uri, contractSourceUri: contract.uri, contractText: null };
  const written = await writeOwnFile(attemptHome, `contract-${basename(contract.uri).replace(/[^A-Za-z0-9._-]/g, '_') || 'contract.md'}`, read.data);
  return { contractUri: written.ok ? written.path : contract.uri, contractSourceUri: contract.uri, contractText: read.data.toString('utf8').slice(0, 20_000) };
}

/** Writes the task packet (agentpr mode) and wraps the prompt in the skills envelope. */
async function skillsPrompt(
  s: StepScope,
  env: AttemptEnvironment,
  skillPlan: SkillPlan,
  inner: string,
  feedback: CiReviewFeedback | null,
  rules: RepoRules,
): Promise<AttemptPrompt> {
  const { ctx, runId, run, params } = s;
  const packet = buildTaskPacket({
    createdAt: ctx.clock().toISOString(),
    run: { runId, owner: run.run.owner, repo: run.run.repo, promptVersion: run.run.prompt_version, mode: run.run.mode, state: s.stage },
    repoPath: s.repoDir,
    policy: { codexSandbox: params.sandbox, allowAgentPush: env.allowAgentPush, maxChangedFiles: params.maxChangedFiles, maxAddedLines: params.maxAddedLines },
    artifacts: await contractForPacket(s, env.attemptHome.path),
    integrationRoot: ctx.paths.campaignDir,
    skillPlan,
    ...(s.input.taskPacketFile ? { userPacket: readUserPacket(s.input.taskPacketFile) } : {}),
  });
  const repositoryRules = rules.files.map((f) => ({ path: f.path, truncated: f.truncated }));
  const packetWithFeedback = {
    ...packet,
    ...(feedback ? { ci_review_feedback: feedback } : {}),
    ...(repositoryRules.length ? { repository_rules: repositoryRules } : {}),
  };
  const taskPacketPath = ctx.artifacts.writeNew(join(ctx.paths.dataDir, 'task_packets'), `${runId}_task_packet_`, '.json', `${JSON.stringify(packetWithFeedback, null, 2)}\n`, { raw: true });
  const metadata = { skills_mode: 'agentpr', required_now: skillPlan.required_now, missing_required: skillPlan.missing_required };
  await addArtifact(ctx.db, { runId, type: 'task_packet', uri: taskPacketPath, metadata }, ctx.clock);
  const envelope = buildSkillsEnvelope({
    runState: s.stage,
    requiredSkills: skillPlan.required_now,
    optionalSkills: skillPlan.available_optional,
    taskPacket: packetWithFeedback as typeof packet,
    basePrompt: inner,
  });
  return { prompt: envelope, skillPlan, taskPacketPath };
}

async function skillsMissing(s: StepScope, env: AttemptEnvironment, skillPlan: SkillPlan): Promise<RefusedAgentStep> {
  const missing = skillPlan.missing_required.join(', ');
  const state = await recordRefusal(s.ctx, s.runId, 'skills_missing', `missing required skills: ${missing}`);
  return {
    kind: 'refused',
    reason: 'skills_missing',
    message: `the skills required in agentpr mode are missing (${missing})`,
    state,
    missingRequired: skillPlan.missing_required,
    skillsRoot: join(env.operatorHome, 'skills'),
    nextCommand: `agentpr install-skills${env.engine.name === 'codex' ? '' : ` --engine ${env.engine.name}`} --local-skills-root ${s.ctx.paths.skillsDir}`,
  };
}

/**
 * The prompt of the attempt: the base prompt, then the repository's own rules for agents (AGENTS.md and the like,
 * read from the workspace as hostile input and marked as the repository's, see repo-rules.ts), with the CI and review
 * feedback of an iterating run (agentpr gives it to the agent, never a token to fetch it), in agentpr mode wrapped in
 * the skills envelope with a task packet, all behind the safety contract. Missing required skills refuse the step
 * unless `--allow-missing-skills`.
 */
export async function buildAttemptPrompt(s: StepScope, env: AttemptEnvironment, basePrompt: string): Promise<AttemptPrompt | RefusedAgentStep> {
  const rules = await readRepoRules(s.repoDir);
  for (const skipped of rules.skipped) s.ctx.log.warn(`repository rules file not handed to the agent: ${skipped.path}: ${skipped.reason}`, { run_id: s.runId });
  const section = repoRulesSection(rules, `${s.run.run.owner}/${s.run.run.repo}`);
  let inner = section ? `${basePrompt}\n\n${section}` : basePrompt;
  const feedback = await ciReviewFeedback(s);
  if (feedback && s.params.skillsMode !== 'agentpr') inner = `${inner}\n\n${renderFeedbackSection(feedback)}`;
  let attempt: AttemptPrompt = { prompt: inner, skillPlan: null, taskPacketPath: null };
  if (s.params.skillsMode === 'agentpr') {
    const skillPlan = buildSkillPlan('agentpr', s.stage, listInstalledSkills(env.skillsRoot), env.skillsRoot);
    if (skillPlan.missing_required.length > 0 && !s.input.allowMissingSkills) return skillsMissing(s, env, skillPlan);
    attempt = await skillsPrompt(s, env, skillPlan, inner, feedback, rules);
  }
  const contract = buildSafetyContract({
    repoDir: s.repoDir,
    runtimeDir: env.prepared.paths.runtimeDir,
    externalReadOnlyPaths: env.readOnlyPaths,
    allowAgentPush: env.allowAgentPush,
  });
  return { ...attempt, prompt: buildPrompt(contract, attempt.prompt) };
}
