import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, createRun, openStore, type OpenDatabase } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';
import { parseUnitFile, splitCommandLine } from '../index.js';
import { fetchRaw, readDeploy, waitFor } from './helpers.js';
import { declaredBins } from './templates.js';

/** The token the checks start the dashboard with (the environment example holds only a placeholder). */
export const DASHBOARD_TOKEN = 'deploy-check-dashboard-token-9f3a7c';
/** The unit's data directory, which the checks map to a temp dir. */
export const UNIT_DATA_DIR = '/var/lib/agentpr';
const UNIT = 'systemd/agentpr-dashboard.service';

/**
 * How to start the dashboard the way its unit does (the unit's ExecStart arguments, the port replaced): the installed
 * binary from `AGENTPR_DEPLOY_CHECK_BIN_DIR`, else the built apps/cli/dist one through node; undefined when not built.
 */
export function dashboardCommand(port: number): { program: string; args: string[] } | undefined {
  const argv = splitCommandLine(parseUnitFile(readDeploy(UNIT)).value('Service', 'ExecStart')!);
  const args = argv.slice(1).map((a, i, all) => (all[i - 1] === '--port' ? String(port) : a));
  const binDir = process.env.AGENTPR_DEPLOY_CHECK_BIN_DIR?.trim();
  if (binDir) return existsSync(join(binDir, 'agentpr-dashboard')) ? { program: join(binDir, 'agentpr-dashboard'), args } : undefined;
  const bin = declaredBins().get('agentpr-dashboard');
  return bin && existsSync(bin.target) ? { program: process.execPath, args: [bin.target, ...args] } : undefined;
}

/** The unit's `ReadOnlyPaths=`, with the data directory mapped to `dataDir`. */
export function unitReadOnlyPaths(dataDir: string): string[] {
  return parseUnitFile(readDeploy(UNIT))
    .values('Service', 'ReadOnlyPaths')
    .flatMap((v) => v.split(/\s+/))
    .map((p) => p.replace(/^-/, ''))
    .map((p) => (p.startsWith(UNIT_DATA_DIR) ? dataDir + p.slice(UNIT_DATA_DIR.length) : p));
}

/** A data dir whose SQLite store holds one QUEUED run, with the writer's connection kept open (as the webhook keeps it). */
export interface SeededStore {
  dataDir: string;
  runId: string;
  /** Moves the run QUEUED → DISCOVERY through the writer. */
  moveRun(): Promise<void>;
  /** Closes the writer; the last connection to close removes the -wal and -shm files. */
  closeWriter(): Promise<void>;
}

/** Creates the store under a fresh data dir (`<dir>/agentpr.db`, the default) through the store API. */
export async function seededStore(): Promise<SeededStore> {
  const dataDir = tempDir('agentpr-dashboard-data-');
  const writer: OpenDatabase = await openStore({ kind: 'sqlite', path: join(dataDir, 'agentpr.db') });
  const runId = 'run_deploy_check_dashboard';
  await createRun(writer.db, { runId, owner: 'octo', repo: 'hello', promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: join(dataDir, 'ws') });
  let open = true;
  return {
    dataDir,
    runId,
    async moveRun() {
      await applyEvent(writer.db, runId, { event: { type: 'command.start.discovery', actor: 'operator' } });
    },
    async closeWriter() {
      if (open) await writer.close();
      open = false;
    },
  };
}

/** A started dashboard process. */
export interface DashboardProcess {
  url: string;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts the dashboard on `port` over `dataDir`, optionally inside `wrap` (a command prefix such as `unshare -m …`).
 * Resolves once `/healthz` answers; rejects with its output if it exits first.
 */
export async function startDashboard(
  command: { program: string; args: string[] },
  dataDir: string,
  port: number,
  wrap: string[] = [],
): Promise<DashboardProcess> {
  const argv = [...wrap, command.program, ...command.args];
  const env = { PATH: process.env.PATH, HOME: dataDir, AGENTPR_HOME: dataDir, AGENTPR_DASHBOARD_TOKEN: DASHBOARD_TOKEN, AGENTPR_LOG_LEVEL: 'warn' };
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c));
  child.stderr!.on('data', (c: Buffer) => (output += c));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve((code = c))));
  const url = `http://127.0.0.1:${port}`;
  const started: DashboardProcess = {
    url,
    output: () => output,
    exited,
    async stop() {
      if (code === undefined) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitFor(
      () => `the dashboard on ${url}: ${output}`,
      async () => (await fetchRaw(`${url}/healthz`)).status === 200,
      30_000,
      () => (code !== undefined ? `it exited ${code}` : undefined),
    );
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}
