import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { cleanupTempDirs, freshDatabase, sendWebhook, tempDir, testPostgresUrl, webhookExample } from '@agentpr/testing';
import { commandInvocations, parseUnitFile, splitCommandLine } from '../index.js';
import { announceSkip, fetchRaw, freePort, MULTI_HOST, readDeploy, REPO_ROOT, run, substitute, waitFor, which } from './helpers.js';
import { declaredBins, pythonWith, readSupervisordConf, SUPERVISORD_CONF } from './templates.js';

const MANAGER_HOST = `${MULTI_HOST}/supervisord/agentpr-manager-host.conf`;
const WEBHOOKS = `${MULTI_HOST}/supervisord/agentpr-webhooks.conf`;

afterAll(() => cleanupTempDirs());

const python = pythonWith('configparser');
const skipParse = announceSkip('multi-host supervisord config parse', python ? undefined : 'python3 is not installed (Debian: apt-get install python3)');

/** supervisord `environment=` syntax: KEY="value",KEY2="value2". */
function envPairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/([A-Z0-9_]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

const read = (conf: string) => readSupervisordConf(python!, join(REPO_ROOT, 'deploy', conf));

describe.skipIf(skipParse)('multi-host supervisord configs read by configparser', () => {
  it.each([MANAGER_HOST, WEBHOOKS])('%s runs in the foreground with the host id and the shared database in every program environment', (conf) => {
    const c = read(conf);
    expect(c.supervisord).toMatchObject({ nodaemon: 'true', logfile: '/var/lib/agentpr/reports/supervisord.log' });
    expect(envPairs(c.supervisord!.environment)).toMatchObject({
      AGENTPR_HOME: '/var/lib/agentpr',
      AGENTPR_HOST_ID: 'CHANGE_ME',
      AGENTPR_DATABASE_URL: expect.stringMatching(/^postgres:\/\/agentpr:CHANGE_ME@/),
    });
  });

  it('the manager host runs only the manager loop, with the single-host command, the model keys and time to finish a step', () => {
    const c = read(MANAGER_HOST);
    expect(Object.keys(c).filter((s) => s.startsWith('program:'))).toEqual(['program:agentpr-manager']);
    const p = c['program:agentpr-manager']!;
    expect(p.command).toBe(read(SUPERVISORD_CONF)['program:agentpr-manager']!.command);
    expect(envPairs(p.environment)).toMatchObject({ GITHUB_TOKEN: 'CHANGE_ME', OPENAI_API_KEY: 'CHANGE_ME', ANTHROPIC_API_KEY: 'CHANGE_ME' });
    expect(envPairs(c.supervisord!.environment).AGENTPR_BASE_DIR).toBe('/var/lib/agentpr/workspaces');
    expect(Number(p.stopwaitsecs)).toBeGreaterThanOrEqual(30 + 10); // --shutdown-grace-sec 30, then the leases are released
  });

  it('the webhook pool runs the systemd template instance command line, the port being the process number', () => {
    const c = read(WEBHOOKS);
    expect(Object.keys(c).filter((s) => s.startsWith('program:'))).toEqual(['program:agentpr-webhook']);
    const p = c['program:agentpr-webhook']!;
    expect(p).toMatchObject({ numprocs: '2', numprocs_start: '8787', process_name: '%(program_name)s-%(process_num)d' });
    const [doctor, service] = commandInvocations(p.command!.split('%(process_num)d').join('%i'), WEBHOOKS);
    const unit = parseUnitFile(readDeploy(`${MULTI_HOST}/systemd/agentpr-github-webhook@.service`));
    expect(doctor!.argv.slice(1)).toEqual(splitCommandLine(unit.value('Service', 'ExecStartPre')!).slice(1));
    expect(service!.argv.slice(1)).toEqual(splitCommandLine(unit.value('Service', 'ExecStart')!).slice(1));
    expect(envPairs(p.environment)).toEqual({ AGENTPR_GITHUB_WEBHOOK_SECRET: 'CHANGE_ME' });
  });
});

const supervisorPython = pythonWith('supervisor.options');
const skipOwnParser = announceSkip('multi-host supervisord own parser', supervisorPython ? undefined : 'the supervisor Python package is not installed (Debian: apt-get install supervisor)');

/** The config with its data directory moved into `data` (supervisord checks that log directories exist). */
function stagedConf(conf: string, data: string, replace: Array<[string | RegExp, string]> = []): string {
  let text = substitute(readDeploy(conf), '/var/lib/agentpr', data, conf);
  for (const [from, to] of replace) text = substitute(text, from, to, conf);
  const path = join(data, 'supervisord.conf');
  writeFileSync(path, text);
  return path;
}

describe.skipIf(skipOwnParser)('multi-host supervisord configs: supervisord own parser', () => {
  const programs = (path: string) => {
    const script = [
      'import json, sys',
      'from supervisor.options import ServerOptions',
      'o = ServerOptions()',
      'o.realize(["-c", sys.argv[1]])',
      'print(json.dumps({p.name: {"command": p.command, "out": p.stdout_logfile} for g in o.process_group_configs for p in g.process_configs}))',
    ].join('\n');
    const r = run(supervisorPython!, ['-c', script, path]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, { command: string; out: string }>;
  };

  it('accepts the manager host config: one program', () => {
    const data = tempDir('agentpr-supervisord-mh-');
    mkdirSync(join(data, 'reports'));
    expect(Object.keys(programs(stagedConf(MANAGER_HOST, data)))).toEqual(['agentpr-manager']);
  });

  it('expands the webhook pool into one process per port, each with its own audit log and logs', () => {
    const data = tempDir('agentpr-supervisord-wh-');
    mkdirSync(join(data, 'reports'));
    const p = programs(stagedConf(WEBHOOKS, data));
    expect(Object.keys(p).sort()).toEqual(['agentpr-webhook-8787', 'agentpr-webhook-8788']);
    for (const port of [8787, 8788]) {
      const { command, out } = p[`agentpr-webhook-${port}`]!;
      expect(command).toContain(`--port ${port} `);
      expect(command).toContain(`--audit-log-file reports/github_webhook_audit.${port}.jsonl`);
      expect(out).toBe(join(data, 'reports', `agentpr-webhook-${port}.out.log`));
    }
  });
});

const supervisord = which('supervisord');
const bins = declaredBins();
const programsNeeded = ['agentpr', 'agentpr-webhook'];
const skipRun = announceSkip(
  'multi-host supervisord run',
  !supervisord ? 'supervisord is not installed (Debian: apt-get install supervisor)' : programsNeeded.every((p) => bins.has(p) && existsSync(bins.get(p)!.target)) ? undefined : 'the agentpr binaries are not built (nx builds apps/cli before these tests)',
);

/** Two consecutive free ports on 127.0.0.1 (numprocs_start counts up from the first). */
async function consecutivePorts(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no two consecutive free ports');
}

describe.skipIf(skipRun)('multi-host supervisord: the webhook pool really runs', () => {
  it(`starts two webhook processes on one ${testPostgresUrl() ? 'PostgreSQL' : 'SQLite'} database; a delivery sent to both is recorded by one and answered as a duplicate by the other`, async () => {
    const data = tempDir('agentpr-supervisord-pool-');
    mkdirSync(join(data, 'reports'));
    const bin = join(data, 'bin');
    mkdirSync(bin);
    for (const name of programsNeeded) {
      writeFileSync(join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${bins.get(name)!.target}" "$@"\n`);
      chmodSync(join(bin, name), 0o755);
    }
    const database = await freshDatabase(testPostgresUrl() ? 'postgres' : 'sqlite');
    const secret = 'deploy-check-pool-secret-8e21';
    const first = await consecutivePorts();
    const databaseUrl: [RegExp, string] =
      database.location.kind === 'postgres'
        ? [/AGENTPR_DATABASE_URL="[^"]*"/, `AGENTPR_DATABASE_URL="${database.location.url}"`]
        : [/,AGENTPR_DATABASE_URL="[^"]*"/, ''];
    const path = stagedConf(WEBHOOKS, data, [
      ['AGENTPR_GITHUB_WEBHOOK_SECRET="CHANGE_ME"', `AGENTPR_GITHUB_WEBHOOK_SECRET="${secret}"`],
      ['AGENTPR_HOST_ID="CHANGE_ME"', 'AGENTPR_HOST_ID="edge-1"'],
      ['numprocs_start=8787', `numprocs_start=${first}`],
      databaseUrl,
    ]);
    const child = spawn(supervisord!, ['-c', path], { env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: data }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c));
    child.stderr!.on('data', (c: Buffer) => (output += c));
    const log = (name: string) => (existsSync(join(data, 'reports', name)) ? readFileSync(join(data, 'reports', name), 'utf8') : '');
    try {
      const urls = [first, first + 1].map((port) => `http://127.0.0.1:${port}/github/webhook`);
      for (const [i, url] of urls.entries()) {
        await waitFor(
          () => `webhook process ${i} on ${url}\nsupervisord: ${output}\nstderr: ${log(`agentpr-webhook-${first + i}.err.log`)}`,
          async () => (await fetchRaw(url)).status === 200,
          30_000,
          () => (/entered FATAL state/.test(log('supervisord.log')) ? 'supervisord gave up on a webhook process (FATAL)' : undefined),
        );
      }
      // A check_run that matches no run: recorded once as a delivery, whichever process gets it first.
      const payload = webhookExample('check_run', 'completed');
      const answers = await Promise.all(urls.map((url) => sendWebhook(url, { event: 'check_run', payload, delivery: 'pool-delivery-1', secret })));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.filter((a) => a.body.duplicate_delivery === true)).toHaveLength(1);
      await waitFor('both audit logs', () => [first, first + 1].every((port) => log(`github_webhook_audit.${port}.jsonl`).includes('pool-delivery-1')), 10_000);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await database.drop();
    }
  });
});
