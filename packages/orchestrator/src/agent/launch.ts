import { join } from 'node:path';
import { CodexRunnerError, notStartedResult, type AgentProcessResult } from '@agentpr/codex-runner';
import type { EgressDenial } from '@agentpr/egress-proxy';
import type { EngineName } from '@agentpr/policy';
import { createStreamAnalyzer, type StreamAnalysis } from '@agentpr/runtime-analysis';
import { AgentprError } from '../errors.js';
import type { AgentLaunchRequest, AgentRunner } from './agent-runner.js';
import type { RefusedAgentStep } from './agent-step-result.js';
import { modelEndpoints, startAttemptEgress, type AttemptEgress } from './confinement.js';
import { recordRefusal } from './converge.js';
import type { AttemptEnvironment } from './environment.js';
import type { StepScope } from './parameters.js';
import { streamLastMessage } from './last-message.js';
import { lockFileOf } from './preflight.js';
import { probeCacheFile } from './probe-cache-file.js';
import { startProgress } from './progress.js';

/** What the egress proxy let through and refused during the attempt. */
export interface EgressRecord {
  rules: AttemptEgress['rules'];
  denials: EgressDenial[];
  deniedCount: number;
}

/** The agent's run: the process result, the stream's analysis, and what confined it. */
export interface LaunchOutcome {
  /** The engine that ran (the port's name). */
  engine: EngineName;
  process: AgentProcessResult;
  analysis: StreamAnalysis;
  /**
   * The final message of an engine that reports it in its stream (Claude's `result` event), kept in memory only:
   * the runtime dir is the agent's, so agentpr never writes there what it reads back later. Null for codex (its file).
   */
  streamLastMessage: string | null;
  /** The engine binary, or null when it was not found. */
  bin: string | null;
  binSource: string | null;
  isolationView: unknown;
  egress: EgressRecord | null;
}

/** Files whose reading by the agent is a credential probe: agentpr's database, policy, reports and audit logs. */
function secretPathsOf(s: StepScope): string[] {
  const { paths } = s.ctx;
  const d = paths.dataDir;
  return [paths.policyFile, paths.runtimeEnvFile, paths.reportsDir, join(d, 'agentpr.db'), join(d, 'task_packets'), join(d, 'pr_requests'), join(d, 'locks'), join(d, 'cache')];
}

/** The launch as the port builds it: the engine's command under the attempt's confinement and limits. */
interface LaunchInputs {
  bin: string;
  capabilities: unknown;
  prompt: string;
  streamPath: string;
  egress: AttemptEgress | null;
}

function launchRequest(s: StepScope, env: AttemptEnvironment, run: LaunchInputs): AgentLaunchRequest {
  const { params } = s;
  const { confinement } = env;
  return {
    bin: run.bin,
    capabilities: run.capabilities,
    sandbox: params.sandbox,
    model: params.model,
    ...(params.engine.engine === 'claude' ? { claude: params.claude } : {}),
    agentArgs: s.input.agentArgs ?? [],
    paths: env.prepared.paths,
    env: env.prepared.env,
    prompt: run.prompt,
    isolation: confinement.isolation,
    codexHome: env.attemptHome.path,
    network: confinement.isolation === 'none' ? 'on' : params.network,
    ...(run.egress ? { egress: run.egress.bridge } : {}),
    ...(confinement.bwrapPath ? { bwrapPath: confinement.bwrapPath } : {}),
    readOnlyPaths: [...env.readOnlyPaths, ...(run.egress?.readOnlyPaths ?? []), ...(params.policy.run_agent_step.sandbox_read_paths ?? [])],
    maxDurationSec: params.maxAgentSeconds,
    stdoutFile: run.streamPath,
    lockFile: lockFileOf(s.ctx, s.runId),
  };
}

/** What to do when an engine's binary is not found, after the resolver's own reason. */
const NOT_FOUND_FIX: Readonly<Record<EngineName, string>> = {
  codex: 'Set AGENTPR_CODEX_BIN or add codex to PATH.',
  claude: 'Set AGENTPR_CLAUDE_BIN or install Claude Code: npm i -g @anthropic-ai/claude-code@2.1.332.',
};

/** Runs a prepared launch with the stream analysed line by line as it arrives, and the live progress ticking. */
async function runAnalysed(s: StepScope, prepared: ReturnType<AgentRunner['prepare']>, analyzer: ReturnType<typeof createStreamAnalyzer>): Promise<AgentProcessResult> {
  const progress = startProgress(s.input.onProgress, analyzer, s.ctx.monotonic);
  try {
    return await prepared.run({
      onStdoutLine: (line, offset) => {
        analyzer.pushLine(line, offset);
      },
      signal: s.input.signal,
    });
  } finally {
    progress.stop();
  }
}

/**
 * Launches the agent once through the agent port: resolves and probes the engine, starts the egress
 * proxy for network allowlist, runs the agent with its stream analysed as it arrives. An engine that is not found is
 * a not-started attempt (judged like any other); a workspace that cannot be sandboxed refuses the step; a workspace
 * an earlier agent still holds throws `refused`.
 */
export async function launchAgent(s: StepScope, env: AttemptEnvironment, prompt: string, streamPath: string): Promise<LaunchOutcome | RefusedAgentStep> {
  const { ctx, params } = s;
  const analyzer = createStreamAnalyzer({
    allowlist: params.allowlist,
    workspaceDir: s.repoDir,
    tmpDirs: [env.prepared.paths.tmpDir],
    homeDir: env.prepared.paths.homeDir,
    secretPaths: secretPathsOf(s),
  });
  // The port answers for its own engine itself (a wrapped port keeps its own behaviour); others come from forEngine.
  const agent = ctx.agent.name === params.engine.engine ? ctx.agent : ctx.agent.forEngine(params.engine.engine);
  const engine = agent.name;
  const resolved = agent.resolve(ctx.env);
  if (!resolved.ok) {
    const reason = resolved.reason.replace(/\.$/, '');
    const process = notStartedResult(`${engine} not found: ${reason}. ${NOT_FOUND_FIX[engine]}`);
    const analysis = analyzer.finish({ stderr: process.stderr });
    return { engine, process, analysis, streamLastMessage: null, bin: null, binSource: null, isolationView: null, egress: null };
  }
  const probe = await agent.probe(resolved.path, { env: env.prepared.env, cacheFile: probeCacheFile(ctx.paths.dataDir, engine) });
  if (!probe.ok) throw new AgentprError('config', `${engine} at ${resolved.path} is not usable: ${probe.reason}`);
  const egress = env.confinement.isolation === 'bwrap' && params.network === 'allowlist'
    ? await startAttemptEgress(params.effective.network_allowlist, modelEndpoints(env.modelUrls))
    : null;
  let process: AgentProcessResult;
  let isolationView: unknown;
  let egressRecord: EgressRecord | null;
  try {
    let prepared: ReturnType<AgentRunner['prepare']>;
    try {
      prepared = agent.prepare(launchRequest(s, env, { bin: resolved.path, capabilities: probe.capabilities, prompt, streamPath, egress }));
    } catch (error) {
      if (!(error instanceof CodexRunnerError)) throw error;
      const message = `the workspace cannot be sandboxed: ${error.message}`;
      return { kind: 'refused', reason: 'workspace_unsafe', message, state: await recordRefusal(ctx, s.runId, 'workspace_unsafe', message) };
    }
    isolationView = prepared.isolationView;
    process = await runAnalysed(s, prepared, analyzer);
  } finally {
    egressRecord = egress ? { rules: egress.rules, denials: egress.denials(), deniedCount: egress.deniedCount() } : null;
    await egress?.close();
  }
  if (process.workspaceBusy) throw new AgentprError('refused', process.stderr.trim().split('\n').at(-1) ?? 'an earlier agent is still running in this workspace');
  const analysis = analyzer.finish({ stderr: process.stderr });
  const streamLast = env.engine.lastMessageSource === 'stream' ? streamLastMessage(analysis) : null;
  return { engine, process, analysis, streamLastMessage: streamLast, bin: resolved.path, binSource: resolved.source, isolationView, egress: egressRecord };
}
