import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { parseUnitFile, splitCommandLine, type UnitFile } from '../index.js';
import { announceSkip, MULTI_HOST, multiHostUnitFiles, readDeploy, run, substitute, which } from './helpers.js';
import { instanceName } from './multi-host.js';

const BIN_DIR = '/usr/local/bin/';
const HOST_ENV = '/etc/agentpr/host.env';

afterAll(() => cleanupTempDirs());

const unit = (file: string): UnitFile => parseUnitFile(readDeploy(`${MULTI_HOST}/systemd/${file}`));
const single = (file: string): UnitFile => parseUnitFile(readDeploy(`systemd/${file}`));

/** The hardening keys of a unit's [Service] section: everything from NoNewPrivileges on, as key=value lines. */
function hardening(u: UnitFile): string[] {
  const entries = u.sections.Service ?? [];
  const from = entries.findIndex((e) => e.key === 'NoNewPrivileges');
  return entries.slice(from).map((e) => `${e.key}=${e.value}`);
}

/** The multi-host unit → the single-host unit whose service it runs, unchanged but for the named lines. */
const COUNTERPARTS = {
  'agentpr-manager.service': 'agentpr-manager.service',
  'agentpr-github-webhook@.service': 'agentpr-github-webhook.service',
  'agentpr-telegram.service': 'agentpr-telegram.service',
  'agentpr-webhook-audit-alert@.service': 'agentpr-webhook-audit-alert.service',
} as const;

describe('multi-host systemd units: structure', () => {
  it('ships the manager host unit, the webhook and audit alert templates, and the bot', () => {
    expect(multiHostUnitFiles()).toEqual([
      'agentpr-github-webhook@.service',
      'agentpr-manager.service',
      'agentpr-telegram.service',
      'agentpr-webhook-audit-alert@.service',
      'agentpr-webhook-audit-alert@.timer',
    ]);
  });

  it.each(Object.entries(COUNTERPARTS))('%s keeps the hardening, doctor gate, user and restart policy of deploy/systemd/%s', (file, counterpart) => {
    const [u, s] = [unit(file), single(counterpart)];
    expect(hardening(u)).toEqual(hardening(s));
    expect(u.values('Service', 'ExecStartPre')).toEqual(s.values('Service', 'ExecStartPre'));
    for (const key of ['Type', 'User', 'Group', 'WorkingDirectory', 'Restart', 'RestartSec', 'KillSignal', 'KillMode', 'TimeoutStopSec', 'UMask']) {
      expect(u.value('Service', key), key).toBe(s.value('Service', key));
    }
    expect(u.values('Service', 'Environment')).toEqual(expect.arrayContaining(s.values('Service', 'Environment')));
  });

  it('every long-running unit reads host.env last, after its own secrets file, so the host id and the database cannot be overridden', () => {
    for (const file of ['agentpr-manager.service', 'agentpr-github-webhook@.service', 'agentpr-telegram.service']) {
      const files = unit(file).values('Service', 'EnvironmentFile');
      expect(files, file).toHaveLength(2);
      expect(files.at(-1), file).toBe(HOST_ENV);
      expect(files[0], file).toBe(single(COUNTERPARTS[file as keyof typeof COUNTERPARTS]).values('Service', 'EnvironmentFile')[0]);
    }
    // The alert only reads an audit log: no database, no network, so no host.env either.
    expect(unit('agentpr-webhook-audit-alert@.service').values('Service', 'EnvironmentFile')).toEqual([]);
    expect(unit('agentpr-webhook-audit-alert@.service').value('Service', 'PrivateNetwork')).toBe('true');
  });

  it('the manager host runs only the manager loop, with its workspaces on the local data directory', () => {
    const u = unit('agentpr-manager.service');
    expect(u.value('Service', 'ExecStart')).toBe(single('agentpr-manager.service').value('Service', 'ExecStart'));
    expect(u.values('Service', 'Environment')).toContain('AGENTPR_BASE_DIR=/var/lib/agentpr/workspaces');
    expect(u.values('Service', 'ReadWritePaths')).toEqual(['/var/lib/agentpr']);
    // Nothing ties it to a bot, a webhook or the dashboard on this host.
    for (const key of ['After', 'Wants', 'Requires', 'BindsTo', 'PartOf']) expect(u.value('Unit', key) ?? '', key).not.toMatch(/agentpr-/);
  });

  it('the webhook template listens on 127.0.0.1:<instance> with the single-host flags and an audit log of its own', () => {
    const argv = splitCommandLine(unit('agentpr-github-webhook@.service').value('Service', 'ExecStart')!);
    const singleArgv = splitCommandLine(single('agentpr-github-webhook.service').value('Service', 'ExecStart')!);
    const flag = (name: string) => argv[argv.indexOf(`--${name}`) + 1];
    expect([flag('host'), flag('port'), flag('path'), flag('max-payload-bytes'), flag('trusted-proxy')]).toEqual(['127.0.0.1', '%i', '/github/webhook', '1048576', '127.0.0.1']);
    expect(flag('audit-log-file')).toBe('reports/github_webhook_audit.%i.jsonl');
    expect(argv.filter((a) => a.startsWith('--')).sort()).toEqual([...singleArgv.filter((a) => a.startsWith('--')), '--audit-log-file'].sort());
  });

  it('the audit alert template reads its instance audit log, with the single-host thresholds and schedule', () => {
    const argv = splitCommandLine(unit('agentpr-webhook-audit-alert@.service').value('Service', 'ExecStart')!);
    const singleArgv = splitCommandLine(single('agentpr-webhook-audit-alert.service').value('Service', 'ExecStart')!);
    expect(argv.slice(0, 4)).toEqual([`${BIN_DIR}agentpr`, 'webhook-audit-summary', '--audit-log-file', 'reports/github_webhook_audit.%i.jsonl']);
    expect(argv.slice(4)).toEqual(singleArgv.slice(2));
    const timer = unit('agentpr-webhook-audit-alert@.timer');
    const singleTimer = single('agentpr-webhook-audit-alert.timer');
    expect(Object.fromEntries(timer.sections.Timer!.map((e) => [e.key, e.value]))).toEqual({
      ...Object.fromEntries(singleTimer.sections.Timer!.map((e) => [e.key, e.value])),
      Unit: 'agentpr-webhook-audit-alert@%i.service',
    });
  });

  it('the bot states its poller lease, so every standby takes over after the same period', () => {
    const argv = splitCommandLine(unit('agentpr-telegram.service').value('Service', 'ExecStart')!);
    expect(argv[argv.indexOf('--poller-lease-sec') + 1]).toBe('30');
    expect(argv.slice(0, -2)).toEqual(splitCommandLine(single('agentpr-telegram.service').value('Service', 'ExecStart')!));
  });
});

const analyze = which('systemd-analyze');
const skip = announceSkip('multi-host systemd-analyze checks', analyze ? undefined : 'systemd-analyze is not installed (Debian: apt-get install systemd)');

/**
 * The multi-host units in a temp dir with their /usr/local/bin programs stubbed there, and the unit names to verify:
 * a template unit (`x@.service`) through its instance `x@8787.service`, which systemd loads from the template with
 * `%i` expanded (verifying a template path directly expands nothing, and an instance path that is not a file
 * checks nothing at all).
 */
function stagedUnits(patch: (file: string, text: string) => string = (_f, t) => t): { dir: string; names: string[] } {
  const dir = tempDir('agentpr-multi-units-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['agentpr', 'agentpr-webhook', 'agentpr-bot', 'agentpr-manager']) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  const names = multiHostUnitFiles().map((file) => {
    const text = readDeploy(`${MULTI_HOST}/systemd/${file}`);
    const staged = file.endsWith('.timer') ? text : substitute(text, BIN_DIR, `${bin}/`, file);
    writeFileSync(join(dir, file), patch(file, staged));
    return file.includes('@.') ? instanceName(file, '8787') : file;
  });
  return { dir, names };
}

/** systemd-analyze with the staged directory first on the unit path (the trailing `:` keeps systemd's own units). */
const analyzeIn = (dir: string, args: string[]) => run(analyze!, args, { cwd: dir, env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` } });

describe.skipIf(skip)('multi-host systemd units: systemd-analyze', () => {
  it('verify accepts every unit, the templates through an instance, with no message at all', () => {
    const { dir, names } = stagedUnits();
    expect(names).toContain('agentpr-github-webhook@8787.service');
    const r = analyzeIn(dir, ['verify', '--man=no', '--generators=no', ...names]);
    expect(r.stderr.trim(), 'systemd-analyze verify printed warnings').toBe('');
    expect(r.code).toBe(0);
  });

  it('verify reports a bad key and a missing program in a template through its instance (the check can fail)', () => {
    const { dir, names } = stagedUnits((file, text) =>
      file === 'agentpr-github-webhook@.service' ? text.replace('Restart=always', 'Restart=sometimes\nNoNewPrivilege=true').replace(/ExecStart=\S+/, 'ExecStart=/nonexistent/agentpr-webhook') : text,
    );
    const r = analyzeIn(dir, ['verify', '--man=no', '--generators=no', ...names]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Unknown key 'NoNewPrivilege'");
    expect(r.stderr).toContain('sometimes');
    expect(r.stderr).toContain('agentpr-github-webhook@8787.service: Command /nonexistent/agentpr-webhook is not executable');
  });

  it.each([
    ['agentpr-manager.service', 6],
    ['agentpr-github-webhook@8787.service', 2.5],
    ['agentpr-telegram.service', 2.5],
    ['agentpr-webhook-audit-alert@8787.service', 2.5],
  ] as const)('security --offline rates %s at most %s, like its single-host counterpart', (name, limit) => {
    const { dir } = stagedUnits();
    const r = analyzeIn(dir, ['security', '--offline=true', '--no-pager', name]);
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout + r.stderr);
    expect(level, r.stdout + r.stderr).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(limit);
  });
});
