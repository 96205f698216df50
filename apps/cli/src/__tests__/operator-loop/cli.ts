import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Fixtures } from './fixtures.js';
import { FORK_OWNER } from './fixtures.js';

/** The built CLI bundle and the built bot binary. */
export const CLI_BIN = fileURLToPath(new URL('../../../dist/agentpr.js', import.meta.url));
export const BOT_BIN = fileURLToPath(new URL('../../../dist/agentpr-bot.js', import.meta.url));

/** What one CLI invocation returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined. */
  json: any;
}

const GLOBAL_VALUE_FLAGS = new Set(['--data-dir', '--workspace-root', '--campaign-dir', '--db']);

/** Every agentpr command the test ran, in order (the test asserts it needed nothing but agentpr). */
export const commandsRun: string[] = [];

function commandOf(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_VALUE_FLAGS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return '(none)';
}

/** Runs the built CLI asynchronously (the stand-ins answer from this process) with `--json`. */
export async function runCli(env: Record<string, string>, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  commandsRun.push(commandOf(args));
  const result = await execa(process.execPath, [CLI_BIN, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore', timeout: timeoutMs });
  const stdout = String(result.stdout);
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code: result.exitCode ?? 1, stdout, stderr: String(result.stderr), json };
}

/**
 * The global flags every call shares: the data dir, the workspaces, the campaign, JSON output. No `--skip-doctor`:
 * the startup gate runs in offline mode (AGENTPR_OFFLINE=1 in the environment), checking the stand-ins and the local
 * remotes it will use.
 */
export function globalArgs(fx: Fixtures): string[] {
  return ['--data-dir', fx.home, '--workspace-root', fx.workspaceRoot, '--campaign-dir', fx.campaignDir, '--json'];
}

/** The manager-tick flags of the test: local remotes, the campaign prompt, fast backoff and sync. */
export function managerArgs(fx: Fixtures): string[] {
  return [
    '--prompt-file', fx.promptFile,
    '--upstream-url', fx.upstreamTemplate,
    '--fork-url', fx.forkTemplate,
    '--fork-owner', FORK_OWNER,
    '--skip-network-check',
    '--codex-sandbox', 'workspace-write',
    '--max-actions-per-run', '8',
    '--concurrency', '4',
    '--backoff-sec', '0',
    '--sync-interval-sec', '1',
    '--commit-title', 'feat: add titleCase helper',
  ];
}

/** A run as `list-runs --json` shows it. */
export interface ListedRun {
  run_id: string;
  state: string;
  [key: string]: unknown;
}

/** The CLI's view of the runs: run id → state (through `agentpr list-runs --json`). */
export async function states(env: Record<string, string>, fx: Fixtures): Promise<Record<string, string>> {
  const listed = await runCli(env, [...globalArgs(fx), 'list-runs', '--limit', '50']);
  if (listed.code !== 0) throw new Error(`list-runs failed: ${listed.stderr}`);
  const rows = (Array.isArray(listed.json) ? listed.json : (listed.json?.runs ?? [])) as Array<Record<string, unknown>>;
  return Object.fromEntries(rows.map((row) => [String(row.run_id), String(row.state ?? row.current_state)]));
}

/** What {@link tickUntil} saw: the ticks' reports and the states it stopped at. */
export interface TickLog {
  ticks: any[];
  states: Record<string, string>;
}

/**
 * Runs `agentpr manager-tick` (the manager loop's unit of work) until `reached(states)` holds, at most `maxTicks`
 * ticks and `deadlineMs`. Fails with the states and the last tick's report, never sleeps between ticks (a tick that
 * changed nothing is followed by the next one at once; the manager's own backoff is 0 here).
 */
export async function tickUntil(
  env: Record<string, string>,
  fx: Fixtures,
  what: string,
  reached: (states: Record<string, string>) => boolean,
  options: { maxTicks?: number; deadlineMs?: number; runId?: string } = {},
): Promise<TickLog> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const log: TickLog = { ticks: [], states: await states(env, fx) };
  for (let tick = 0; !reached(log.states); tick++) {
    if (tick >= (options.maxTicks ?? 12) || Date.now() > deadline) {
      const last = JSON.stringify(log.ticks.at(-1) ?? null).slice(0, 4000);
      throw new Error(`manager ticks did not reach "${what}" after ${tick} ticks: states ${JSON.stringify(log.states)}; last tick ${last}`);
    }
    const args = [...globalArgs(fx), 'manager-tick', ...managerArgs(fx), ...(options.runId ? ['--run-id', options.runId] : [])];
    const result = await runCli(env, args, Math.max(10_000, deadline - Date.now()));
    if (result.code !== 0 && result.json === undefined) throw new Error(`manager-tick failed (exit ${result.code}): ${result.stderr.slice(0, 2000)}`);
    log.ticks.push(result.json ?? { stdout: result.stdout, stderr: result.stderr });
    log.states = await states(env, fx);
  }
  return log;
}
