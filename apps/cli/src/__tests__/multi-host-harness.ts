// Simulated hosts for the multi-host tests (issue 20): each host is real `agentpr` processes with their own
// AGENTPR_HOME (data dir and workspace root) and AGENTPR_HOST_ID, all on one database, with the scripted codex as the
// agent (under bwrap, like production) and local bare upstream and fork repositories.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '@agentpr/store';
import { createSampleWorkspace, makeBareFork, scriptedCodex, tempDir, type TestDatabase } from '@agentpr/testing';

const BIN = fileURLToPath(new URL('../../dist/agentpr.js', import.meta.url));

/**
 * Every host's policy: no baseline test run at prepare (a run costs what agentpr itself costs), and no PR etiquette
 * caps (every run of the one sample repository gets its PR request; the caps have tests of their own).
 */
const HOST_POLICY = {
  baseline_tests: { enabled: false },
  campaign_defaults: { etiquette: { max_open_prs_per_repo: 0, max_open_prs_per_owner: 0, max_prs_per_hour: 0, max_prs_per_day: 0 } },
};

/** The exit and output of one finished CLI process. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running CLI process (a manager loop): its output so far, and how to stop or kill it. */
export interface HostProcess {
  child: ChildProcess;
  /** Settles when the process has exited. */
  done: Promise<CliResult>;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then the exit (a loop finishes its running action within its grace). */
  stop(): Promise<CliResult>;
  /** SIGKILL, as a dying host, then the exit. */
  kill(): Promise<void>;
}

/** One simulated host. */
export interface SimHost {
  name: string;
  home: string;
  /** The host's workspace root (`$AGENTPR_HOME/workspaces`). */
  workspaceRoot: string;
  env: NodeJS.ProcessEnv;
  /** The global flags and the remotes' flags every manager command of the host takes. */
  base: string[];
  remoteFlags: string[];
  promptFile: string;
  /** A prompt whose agent steps never end (`scripted-codex: hang`): the host dies in them. */
  hangPromptFile: string;
  /** Runs the CLI to its end. */
  run(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** Starts a long-running CLI process (a manager loop). */
  start(args: string[]): HostProcess;
}

/** Bare upstream and fork repositories of the sample project, local to this machine (every host reaches them). */
export interface Remotes {
  upstream: string;
  fork: string;
}

/** Makes the bare upstream (branch main) and a fork at the same commit. */
export async function remotes(): Promise<Remotes> {
  const sample = await createSampleWorkspace({ withRemote: true });
  const fork = await makeBareFork({ url: sample.remote!, branch: 'main', headSha: sample.baseSha });
  return { upstream: sample.remote!, fork: fork.url };
}

function collect(child: ChildProcess): { done: Promise<CliResult>; output(): { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { done, output: () => ({ stdout, stderr }) };
}

/** A simulated host on `db`: its own home with {@link HOST_POLICY}, a prompt file and a hanging one. */
export function simulatedHost(name: string, db: TestDatabase, remote: Remotes): SimHost {
  const home = tempDir(`agentpr-${name}-`);
  writeFileSync(join(home, 'manager_policy.json'), JSON.stringify(HOST_POLICY));
  const promptFile = join(home, 'prompt.md');
  writeFileSync(promptFile, 'Append the next scripted change and run npm test.\n');
  const hangPromptFile = join(home, 'prompt-hang.md');
  writeFileSync(hangPromptFile, 'Append the next scripted change and run npm test.\nscripted-codex: hang\n');
  const env: NodeJS.ProcessEnv = { ...process.env, ...scriptedCodex().env, AGENTPR_HOME: home, AGENTPR_HOST_ID: name };
  // Hermetic: no operator's GitHub token, no inherited temp dir (the agent's TMPDIR is set per attempt).
  for (const key of ['TMPDIR', 'GITHUB_TOKEN', 'GH_TOKEN', 'AGENTPR_DATABASE_URL', 'AGENTPR_DB']) delete env[key];
  const base = [...db.cliArgs, '--skip-doctor', '--json'];
  const remoteFlags = ['--upstream-url', remote.upstream, '--fork-url', remote.fork, '--fork-owner', 'me', '--skip-network-check'];
  const start = (args: string[]): HostProcess => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const { done, output } = collect(child);
    return {
      child,
      done,
      output,
      stop: () => (child.exitCode === null ? child.kill('SIGTERM') : undefined, done),
      kill: async () => {
        child.kill('SIGKILL');
        await done;
      },
    };
  };
  return {
    name,
    home,
    workspaceRoot: join(home, 'workspaces'),
    env,
    base,
    remoteFlags,
    promptFile,
    hangPromptFile,
    start,
    run: async (args, timeoutMs = 120_000) => {
      const proc = start(args);
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
      const result = await proc.done;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * Polls `check` (every 150 ms) until it returns a value other than undefined or false; fails naming `what` after
 * `timeoutMs`, with what `explain` says about the state of things then.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000, explain?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The ids of live processes whose command line mentions `needle` (the agents a host left behind, by its workspace root). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** The events of `type` of every run, oldest first, with their payload. */
export async function eventsOfType(db: Db, type: string): Promise<Array<{ run_id: string; created_at: string; payload: Record<string, unknown> }>> {
  const rows = await db.selectFrom('events').select(['run_id', 'created_at', 'payload_json']).where('event_type', '=', type).orderBy('event_id', 'asc').execute();
  return rows.map((r) => ({ run_id: r.run_id, created_at: r.created_at, payload: JSON.parse(r.payload_json) as Record<string, unknown> }));
}

/** The number of events of `type` per run id. */
export async function countByRun(db: Db, type: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await eventsOfType(db, type)) counts.set(e.run_id, (counts.get(e.run_id) ?? 0) + 1);
  return counts;
}

/**
 * Agent attempts of one run whose time spans overlap (an attempt spans its duration up to when it was recorded):
 * two agents on one run at once. Empty when they ran one after another.
 */
export async function overlappingAgentAttempts(db: Db, runId: string): Promise<string[]> {
  const rows = await db.selectFrom('step_attempts').select(['attempt_no', 'created_at', 'duration_ms']).where('run_id', '=', runId).where('step', '=', 'agent').execute();
  const spans = rows
    .map((r) => ({ no: r.attempt_no, end: Date.parse(r.created_at), start: Date.parse(r.created_at) - Number(r.duration_ms) }))
    .sort((a, b) => a.start - b.start);
  const overlaps: string[] = [];
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.start < spans[i - 1]!.end) overlaps.push(`${runId}: agent attempt ${spans[i]!.no} started before attempt ${spans[i - 1]!.no} ended`);
  }
  return overlaps;
}

/** Whether every one of `runIds` is PUSHED with a PR request written for its latest push (the manager is done with it). */
export async function allAwaitApproval(db: Db, runIds: readonly string[]): Promise<boolean> {
  const states = await db.selectFrom('run_states').select(['run_id', 'current_state']).where('run_id', 'in', [...runIds]).execute();
  if (states.length !== runIds.length || states.some((s) => s.current_state !== 'PUSHED')) return false;
  const requested = await db.selectFrom('pr_requests').select('run_id').distinct().where('run_id', 'in', [...runIds]).execute();
  return requested.length === runIds.length;
}

/** One line per run: its state, workspace host, last error and its newest attempts (for a failure message). */
export async function describeRuns(db: Db, runIds: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const runId of runIds) {
    const state = await db.selectFrom('run_states').selectAll().where('run_id', '=', runId).executeTakeFirst();
    const attempts = await db.selectFrom('step_attempts').select(['step', 'exit_code', 'grade', 'reason_code']).where('run_id', '=', runId).orderBy('id', 'desc').limit(4).execute();
    const steps = attempts.map((a) => `${a.step}:${a.exit_code}${a.grade ? `:${a.grade}/${a.reason_code}` : ''}`).join(' ');
    lines.push(`${runId} ${state?.current_state} host=${state?.workspace_host} error=${state?.last_error?.slice(0, 300)} attempts=[${steps}]`);
  }
  return lines.join('\n');
}
