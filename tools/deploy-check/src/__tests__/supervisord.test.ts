import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { webhookProbe } from 'agentpr';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { commandInvocations, SERVICE_BINARIES } from '../index.js';
import { announceSkip, fetchRaw, freePort, readDeploy, run, substitute, waitFor, which } from './helpers.js';
import { declaredBins, pythonWith, readSupervisordConf, SUPERVISORD_CONF } from './templates.js';

const PROGRAMS = {
  'program:agentpr-github-webhook': { doctor: ['doctor', '--skip-network-check', '--no-require-gh-auth', '--require-webhook-secret'], service: 'agentpr-webhook', secrets: ['AGENTPR_GITHUB_WEBHOOK_SECRET'] },
  'program:agentpr-telegram': { doctor: ['doctor', '--skip-network-check', '--no-require-gh-auth', '--require-telegram-token'], service: 'agentpr-bot', secrets: ['AGENTPR_TELEGRAM_BOT_TOKEN', 'GITHUB_TOKEN'] },
  'program:agentpr-manager': { doctor: ['doctor', '--require-codex', '--network-timeout-sec', '10'], service: 'agentpr-manager', secrets: ['GITHUB_TOKEN', 'OPENAI_API_KEY'] },
} as const;

/** The dashboard: its own read-only gate (no doctor command), started after the others and retried until the store exists. */
const DASHBOARD = 'program:agentpr-dashboard';

afterAll(() => cleanupTempDirs());

const python = pythonWith('configparser');
const skipParse = announceSkip('supervisord config parse', python ? undefined : 'python3 is not installed (Debian: apt-get install python3)');

/** supervisord `environment=` syntax: KEY="value",KEY2="value2". */
function envPairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/([A-Z0-9_]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

describe.skipIf(skipParse)('supervisord: deploy/supervisord/agentpr.conf read by configparser', () => {
  const conf = python ? readSupervisordConf(python) : {};

  it('runs in the foreground with its own files under /var/lib/agentpr', () => {
    expect(conf.supervisord).toMatchObject({ nodaemon: 'true', logfile: '/var/lib/agentpr/reports/supervisord.log' });
    expect(envPairs(conf.supervisord!.environment)).toMatchObject({ AGENTPR_HOME: '/var/lib/agentpr' });
  });

  it('has exactly the webhook, the Telegram bot, the manager loop and the dashboard as programs', () => {
    expect(Object.keys(conf).filter((s) => s.startsWith('program:')).sort()).toEqual([...Object.keys(PROGRAMS), DASHBOARD].sort());
  });

  it('[program:agentpr-dashboard] runs the dashboard on 127.0.0.1:8790 after the others, retrying until the store exists', () => {
    const p = conf[DASHBOARD]!;
    expect(p).toMatchObject({ autostart: 'true', autorestart: 'true', startsecs: '3', stopwaitsecs: '20', directory: '/var/lib/agentpr', priority: '1000' });
    expect(Number(p.startretries)).toBeGreaterThanOrEqual(10);
    expect(p.stdout_logfile).toBe('/var/lib/agentpr/reports/agentpr-dashboard.out.log');
    expect(p.stderr_logfile).toBe('/var/lib/agentpr/reports/agentpr-dashboard.err.log');
    expect(commandInvocations(p.command!, DASHBOARD).map((i) => i.argv)).toEqual([['agentpr-dashboard', '--host', '127.0.0.1', '--port', '8790', '--trusted-proxy', '127.0.0.1']]);
    expect(envPairs(p.environment)).toEqual({ AGENTPR_DASHBOARD_TOKEN: 'CHANGE_ME' });
    // It starts after the doctor-gated programs (supervisord's default priority is 999).
    for (const section of Object.keys(PROGRAMS)) expect(Number(conf[section]!.priority ?? 999)).toBeLessThan(Number(p.priority));
  });

  it.each(Object.entries(PROGRAMS))('[%s] runs the doctor, then execs the service, restarts, and logs under reports/', (section, expected) => {
    const p = conf[section]!;
    expect(p).toMatchObject({ autostart: 'true', autorestart: 'true', startsecs: '3', stopwaitsecs: '20', directory: '/var/lib/agentpr' });
    const name = section.slice('program:'.length);
    expect(p.stdout_logfile).toBe(`/var/lib/agentpr/reports/${name}.out.log`);
    expect(p.stderr_logfile).toBe(`/var/lib/agentpr/reports/${name}.err.log`);
    const [doctor, service, ...rest] = commandInvocations(p.command!, section);
    expect(rest).toEqual([]);
    expect(doctor!.argv).toEqual(['agentpr', ...expected.doctor]);
    expect(service!.argv[0]).toBe(expected.service);
    expect(p.command).toMatch(/^\/bin\/sh -c "agentpr doctor .* && exec agentpr-[a-z]+ /);
    const env = envPairs(p.environment);
    for (const secret of expected.secrets) expect(env[secret], `${section} ${secret}`).toBe('CHANGE_ME');
  });

  it('the webhook program listens on 127.0.0.1:8787 at /github/webhook with the 1 MiB limit, like the systemd unit', () => {
    const argv = commandInvocations(conf['program:agentpr-github-webhook']!.command!, 'x')[1]!.argv;
    const flag = (name: string) => argv[argv.indexOf(`--${name}`) + 1];
    expect([flag('host'), flag('port'), flag('path'), flag('max-payload-bytes')]).toEqual(['127.0.0.1', '8787', '/github/webhook', '1048576']);
  });
});

const supervisorPython = pythonWith('supervisor.options');
const skipOwnParser = announceSkip('supervisord own parser', supervisorPython ? undefined : 'the supervisor Python package is not installed (Debian: apt-get install supervisor)');

/** The config with its data directory moved into `data` (supervisord checks that log directories exist). */
function stagedConf(data: string, replace: Array<[string | RegExp, string]> = []): string {
  let text = substitute(readDeploy(SUPERVISORD_CONF), '/var/lib/agentpr', data, SUPERVISORD_CONF);
  for (const [from, to] of replace) text = substitute(text, from, to, SUPERVISORD_CONF);
  const path = join(data, 'supervisord.conf');
  writeFileSync(path, text);
  return path;
}

describe.skipIf(skipOwnParser)('supervisord: its own parser', () => {
  it('accepts the config and builds the four programs with their commands and environment', () => {
    const data = tempDir('agentpr-supervisord-');
    mkdirSync(join(data, 'reports'));
    const path = stagedConf(data);
    const script = [
      'import json, sys',
      'from supervisor.options import ServerOptions',
      'o = ServerOptions()',
      'o.realize(["-c", sys.argv[1]])',
      'print(json.dumps({"nodaemon": o.nodaemon, "programs": {p.name: {"command": p.command, "env": p.environment, "startsecs": p.startsecs, "stopwaitsecs": p.stopwaitsecs} for g in o.process_group_configs for p in g.process_configs}}))',
    ].join('\n');
    const r = run(supervisorPython!, ['-c', script, path]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const parsed = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { nodaemon: boolean; programs: Record<string, { command: string; env: Record<string, string>; startsecs: number; stopwaitsecs: number }> };
    expect(parsed.nodaemon).toBe(true);
    expect(Object.keys(parsed.programs).sort()).toEqual(['agentpr-dashboard', 'agentpr-github-webhook', 'agentpr-manager', 'agentpr-telegram']);
    for (const p of Object.values(parsed.programs)) {
      expect([p.startsecs, p.stopwaitsecs]).toEqual([3, 20]);
      expect(p.env.AGENTPR_HOME).toBe(data);
    }
  });
});

const supervisord = which('supervisord');
const bins = declaredBins();
/**
 * Where the four binaries come from: `AGENTPR_DEPLOY_CHECK_BIN_DIR` (an installed agentpr, e.g. `$(npm prefix -g)/bin`),
 * else the built apps/cli/dist through `node`.
 */
const binDir = process.env.AGENTPR_DEPLOY_CHECK_BIN_DIR?.trim() || undefined;
const programs = ['agentpr', ...Object.keys(SERVICE_BINARIES)];
const launcher = (name: string) => (binDir ? `exec "${join(binDir, name)}" "$@"` : `exec "${process.execPath}" "${bins.get(name)?.target}" "$@"`);
const binariesReady = binDir ? programs.every((p) => existsSync(join(binDir, p))) : programs.every((p) => bins.has(p) && existsSync(bins.get(p)!.target));
const skipRun = announceSkip(
  'supervisord run',
  !supervisord
    ? 'supervisord is not installed (Debian: apt-get install supervisor)'
    : !binariesReady
      ? binDir
        ? `AGENTPR_DEPLOY_CHECK_BIN_DIR=${binDir} lacks one of ${programs.join(', ')}`
        : 'the agentpr binaries are not built (nx builds apps/cli before these tests)'
      : undefined,
);

describe.skipIf(skipRun)('supervisord: really runs the programs', () => {
  it('starts all four programs; the webhook passes its doctor, serves, and passes webhook-probe; the dashboard reads its store', async () => {
    const data = tempDir('agentpr-supervisord-run-');
    mkdirSync(join(data, 'reports'));
    const bin = join(data, 'bin');
    mkdirSync(bin);
    for (const name of programs) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${launcher(name)}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(data, 'prompt.md'), 'Integrate the package.\n');
    const secret = 'deploy-check-supervisord-secret-41b';
    const dashboardToken = 'deploy-check-dashboard-token-5c1e';
    const port = await freePort();
    const dashboardPort = await freePort();
    const path = stagedConf(data, [
      ['AGENTPR_GITHUB_WEBHOOK_SECRET="CHANGE_ME"', `AGENTPR_GITHUB_WEBHOOK_SECRET="${secret}"`],
      ['AGENTPR_TELEGRAM_BOT_TOKEN="CHANGE_ME"', 'AGENTPR_TELEGRAM_BOT_TOKEN="123:deploy-check",AGENTPR_TELEGRAM_API_URL="http://127.0.0.1:9"'],
      [/AGENTPR_(ALLOW|WRITE|ADMIN)_CHAT_ID="CHANGE_ME"/, 'AGENTPR_$1_CHAT_ID="1"'],
      ['--port 8787', `--port ${port}`],
      ['/etc/agentpr/manager-prompt.md', join(data, 'prompt.md')],
      // Offline CI: fail the manager's network checks fast instead of 10 s per URL.
      ['--network-timeout-sec 10', '--network-timeout-sec 1'],
      ['AGENTPR_DASHBOARD_TOKEN="CHANGE_ME"', `AGENTPR_DASHBOARD_TOKEN="${dashboardToken}"`],
      ['--port 8790', `--port ${dashboardPort}`],
    ]);
    const child = spawn(supervisord!, ['-c', path], { env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: data }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c));
    child.stderr!.on('data', (c: Buffer) => (output += c));
    const log = (name: string) => {
      const file = join(data, 'reports', name);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    };
    try {
      const url = `http://127.0.0.1:${port}/github/webhook`;
      await waitFor(
        () => `the webhook program on ${url}\nsupervisord: ${output}\nwebhook stdout: ${log('agentpr-github-webhook.out.log')}\nwebhook stderr: ${log('agentpr-github-webhook.err.log')}`,
        async () => (await fetchRaw(url)).status === 200,
        30_000,
        () => (/agentpr-github-webhook entered FATAL state/.test(log('supervisord.log')) ? 'supervisord gave up on agentpr-github-webhook (FATAL)' : undefined),
      );
      expect(JSON.parse(log('agentpr-github-webhook.out.log').split('\n{')[0]!.trim() || '{}')).toMatchObject({ ok: true });
      const report = await webhookProbe({ url, secret, timeoutSec: 10 });
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      // The bot and the manager were started too: each ran its doctor gate (its report is in its log).
      await waitFor('the doctor reports of the bot and the manager', () => ['agentpr-telegram', 'agentpr-manager'].every((n) => /"checks"/.test(log(`${n}.out.log`))), 30_000);
      expect(readFileSync(join(data, 'reports', 'supervisord.log'), 'utf8')).toMatch(/spawned: 'agentpr-manager'/);
      // The dashboard came up on the store the webhook created (retried until it existed) and needs its token.
      const dashboard = `http://127.0.0.1:${dashboardPort}`;
      await waitFor(
        () => `the dashboard program on ${dashboard}\ndashboard stderr: ${log('agentpr-dashboard.err.log')}`,
        async () => (await fetchRaw(`${dashboard}/healthz`)).status === 200,
        60_000,
        () => (/agentpr-dashboard entered FATAL state/.test(log('supervisord.log')) ? 'supervisord gave up on agentpr-dashboard (FATAL)' : undefined),
      );
      expect((await fetchRaw(`${dashboard}/`)).status).toBe(401);
      expect((await fetchRaw(`${dashboard}/`, { headers: { Authorization: `Bearer ${dashboardToken}` } })).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
