import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEvent, createRun, type Db } from '@agentpr/store';
import { tempDir } from '@agentpr/testing';
import { parseUnitFile, splitCommandLine } from '../index.js';
import { fetchRaw, MULTI_HOST, readDeploy, waitFor } from './helpers.js';
import { declaredBins } from './templates.js';

/** The unit a template stands for once instantiated: `x@.service` with instance `8787` → `x@8787.service`. */
export function instanceName(file: string, instance: string): string {
  return file.replace('@.', `@${instance}.`);
}

/** A run in CI_WAIT on PR `prNumber` whose pushed head is `sha`, so a failing check_run delivery applies one event to it. */
export async function runInCiWait(db: Db, options: { runId: string; owner: string; repo: string; prNumber: number; sha: string }): Promise<void> {
  await createRun(db, { runId: options.runId, owner: options.owner, repo: options.repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: `/nonexistent/${options.runId}` });
  const events: Array<Parameters<typeof applyEvent>[2]['event']> = [
    { type: 'command.start.discovery' },
    { type: 'worker.discovery.completed', contract_path: '/c.md' },
    { type: 'command.start.implementation' },
    { type: 'command.local.validation.passed' },
    { type: 'worker.push.completed', branch: 'changes', head_sha: options.sha },
    { type: 'command.pr.linked', pr_number: options.prNumber },
  ];
  for (const event of events) await applyEvent(db, options.runId, { event });
}

/** One real `agentpr-webhook` process started from the webhook template unit's command line, as on its own host. */
export interface WebhookProcess {
  port: number;
  hostId: string;
  dataDir: string;
  child: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** The delivery ids of this process's audit log with their outcomes. */
  auditOutcomes(): Array<{ delivery: string; outcome: string }>;
  /** SIGKILL (a host that dies) or SIGTERM (a clean stop); resolves once it has exited. */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

const WEBHOOK_UNIT = `${MULTI_HOST}/systemd/agentpr-github-webhook@.service`;

/**
 * Starts the built `agentpr-webhook` with the exact `ExecStart=` of `agentpr-github-webhook@.service`, `%i` being
 * `port`, its own data directory and `AGENTPR_HOST_ID`, on the shared `database` (a PostgreSQL URL in
 * `AGENTPR_DATABASE_URL`, as host.env sets it, or one SQLite file through `--db`). Resolves once it answers.
 */
export async function startWebhookProcess(options: { port: number; hostId: string; secret: string; database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } }): Promise<WebhookProcess> {
  const bin = declaredBins().get('agentpr-webhook');
  if (!bin || !existsSync(bin.target)) throw new Error('agentpr-webhook is not built (nx builds apps/cli before these tests)');
  const argv = splitCommandLine(parseUnitFile(readDeploy(WEBHOOK_UNIT)).value('Service', 'ExecStart')!).map((a) => a.split('%i').join(String(options.port)));
  if (argv[0] !== '/usr/local/bin/agentpr-webhook') throw new Error(`${WEBHOOK_UNIT} no longer starts /usr/local/bin/agentpr-webhook; update the deploy check`);
  const dataDir = tempDir(`agentpr-host-${options.hostId}-`);
  mkdirSync(join(dataDir, 'reports'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dataDir,
    AGENTPR_HOME: dataDir,
    AGENTPR_HOST_ID: options.hostId,
    AGENTPR_GITHUB_WEBHOOK_SECRET: options.secret,
    NODE_ENV: 'production',
    ...(options.database.kind === 'postgres' ? { AGENTPR_DATABASE_URL: options.database.url } : {}),
  };
  const extra = options.database.kind === 'sqlite' ? ['--db', options.database.path] : [];
  const child = spawn(process.execPath, [bin.target, ...argv.slice(1), ...extra], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${options.port}/github/webhook`;
  await waitFor(
    () => `agentpr-webhook on ${url}: ${output}`,
    async () => (await fetchRaw(url)).status === 200,
    30_000,
    () => (child.exitCode !== null ? `it exited with ${child.exitCode}` : undefined),
  );
  const auditFile = join(dataDir, 'reports', `github_webhook_audit.${options.port}.jsonl`);
  return {
    port: options.port,
    hostId: options.hostId,
    dataDir,
    child,
    output: () => output,
    auditOutcomes: () =>
      existsSync(auditFile)
        ? readFileSync(auditFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as { delivery: string; outcome: string })
          .map(({ delivery, outcome }) => ({ delivery, outcome }))
        : [],
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
