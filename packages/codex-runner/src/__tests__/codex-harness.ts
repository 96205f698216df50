import { existsSync, readFileSync } from 'node:fs';
import { scenarioPath } from '@agentpr/model-stub';
import { codexBinaryPath, createSampleWorkspace, withCodexSandbox, type SampleWorkspace } from '@agentpr/testing';
import { buildAgentLaunch } from '../agent-engine.js';
import { buildPrompt, buildSafetyContract } from '../build-prompt.js';
import type { CodexSandboxMode } from '../build-codex-command.js';
import type { IsolationLevel } from '../isolation.js';
import { prepareAgentEnvironment } from '../prepare-agent-environment.js';
import { probeCodex } from '../probe-codex.js';
import { listProcesses, type ProcessInfo } from '../process-tree.js';
import { runAgentProcess, type AgentProcessResult } from '../run-agent-process.js';

/** One parsed stdout event and its arrival offset. */
export interface StreamLine {
  line: string;
  offsetMs: number;
  event: Record<string, unknown>;
}

/** What a scripted codex run produced. */
export interface ScenarioRun {
  result: AgentProcessResult;
  lines: StreamLine[];
  stderrLines: string[];
  workspace: SampleWorkspace;
  lastMessagePath: string;
  stdoutFile: string;
  requests: number;
  /** `command_execution` items from `item.completed` events. */
  commands: Array<{ command: string; exit_code: number | null; status: string; aggregated_output: string }>;
  /** `file_change` items from `item.completed` events. */
  fileChanges: Array<{ changes: Array<{ path: string; kind: string }>; status: string }>;
  lastMessage: string | null;
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  isolation?: IsolationLevel;
  sandbox?: CodexSandboxMode;
  maxDurationSec?: number;
  vars?: Record<string, string>;
  /** Extra variables in the orchestrator's (parent) environment, e.g. secrets that must not reach the agent. */
  parentEnv?: Record<string, string>;
  withRemote?: boolean;
  killGraceMs?: number;
  drainGraceMs?: number;
}

/** Runs one shipped scenario with the real codex binary through the runner, the way run-agent-step will. */
export async function runScenario(name: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const sandbox = await withCodexSandbox({ scenario: scenarioPath(name), ...(options.vars ? { vars: options.vars } : {}) });
  try {
    const workspace = await createSampleWorkspace({ withRemote: options.withRemote ?? false });
    const { TMPDIR: _ignored, ...sandboxEnv } = sandbox.env;
    const parentEnv = { ...process.env, ...sandboxEnv, ...(options.parentEnv ?? {}) };
    const prepared = prepareAgentEnvironment({ parentEnv, repoDir: workspace.dir, codexHome: sandbox.codexHome, providerEnvAllowlist: [sandbox.envKey] });
    if (!prepared.ok) throw new Error(prepared.errors.join('; '));
    const bin = codexBinaryPath();
    const probe = await probeCodex(bin, { env: prepared.env });
    if (!probe.ok) throw new Error(probe.reason);
    const prompt = buildPrompt(
      buildSafetyContract({ repoDir: workspace.dir, runtimeDir: prepared.paths.runtimeDir }),
      'Add titleCase(text) in src/title-case.js with a test, then run npm test.\n',
    );
    const stdoutFile = `${prepared.paths.runtimeDir}/events.jsonl`;
    const launch = buildAgentLaunch({
      bin,
      capabilities: probe.capabilities,
      sandbox: options.sandbox ?? 'workspace-write',
      model: sandbox.model,
      paths: prepared.paths,
      env: prepared.env,
      prompt,
      isolation: options.isolation ?? 'none',
      codexHome: sandbox.codexHome,
      maxDurationSec: options.maxDurationSec ?? 60,
      stdoutFile,
      ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
      ...(options.drainGraceMs !== undefined ? { drainGraceMs: options.drainGraceMs } : {}),
    });
    const lines: StreamLine[] = [];
    const stderrLines: string[] = [];
    const result = await runAgentProcess(launch.spec, {
      onStdoutLine: (line, offsetMs) => lines.push({ line, offsetMs, event: JSON.parse(line) as Record<string, unknown> }),
      onStderrLine: (line) => stderrLines.push(line),
    });
    const completed = lines.filter((l) => l.event.type === 'item.completed').map((l) => l.event.item as Record<string, unknown>);
    return {
      result,
      lines,
      stderrLines,
      workspace,
      lastMessagePath: launch.lastMessagePath,
      stdoutFile,
      requests: sandbox.stub.requests.length,
      commands: completed.filter((item) => item.type === 'command_execution') as unknown as ScenarioRun['commands'],
      fileChanges: completed.filter((item) => item.type === 'file_change') as unknown as ScenarioRun['fileChanges'],
      lastMessage: existsSync(launch.lastMessagePath) ? readFileSync(launch.lastMessagePath, 'utf8') : null,
    };
  } finally {
    await sandbox.close();
  }
}

/** Live (non-zombie) processes whose command line contains `marker` or whose group is `pgid`, after up to 1 s for pending SIGKILLs to land. */
export async function leftoverProcesses(marker: string, pgid: number | null = null): Promise<ProcessInfo[]> {
  let left: ProcessInfo[] = [];
  for (let i = 0; i < 20; i += 1) {
    left = (listProcesses() ?? []).filter((p) => p.state !== 'Z' && (p.pgid === pgid || readCmdline(p.pid).includes(marker)));
    if (left.length === 0) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
  return left;
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
