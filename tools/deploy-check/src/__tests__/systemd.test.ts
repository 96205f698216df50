import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { parseUnitFile, splitCommandLine, type UnitFile } from '../index.js';
import { announceSkip, readDeploy, run, substitute, unitFiles, which } from './helpers.js';

const BIN_DIR = '/usr/local/bin/';
const SERVICES = {
  'agentpr-github-webhook.service': {
    env: '/etc/agentpr/github-webhook.env',
    doctor: ['doctor', '--skip-network-check', '--no-require-gh-auth', '--require-webhook-secret'],
    start: 'agentpr-webhook',
  },
  'agentpr-telegram.service': {
    env: '/etc/agentpr/telegram.env',
    doctor: ['doctor', '--skip-network-check', '--no-require-gh-auth', '--require-telegram-token'],
    start: 'agentpr-bot',
  },
  'agentpr-manager.service': {
    env: '/etc/agentpr/manager.env',
    doctor: ['doctor', '--require-codex', '--network-timeout-sec', '10'],
    start: 'agentpr-manager',
  },
} as const;
/** Highest acceptable `systemd-analyze security` exposure per unit (0 = locked down, 10 = exposed). */
const EXPOSURE_LIMITS: Record<string, number> = {
  'agentpr-github-webhook.service': 2.5,
  'agentpr-telegram.service': 2.5,
  'agentpr-webhook-audit-alert.service': 2.5,
  'agentpr-dashboard.service': 2.5,
  // The agent needs user namespaces and a fresh /proc for bubblewrap; see the comment in the unit.
  'agentpr-manager.service': 6,
};

afterAll(() => cleanupTempDirs());

const unit = (file: string): UnitFile => parseUnitFile(readDeploy(`systemd/${file}`));

describe('systemd units: structure', () => {
  it('ships the three services, the dashboard, the audit alert service and its timer', () => {
    expect(unitFiles()).toEqual([
      'agentpr-dashboard.service',
      'agentpr-github-webhook.service',
      'agentpr-manager.service',
      'agentpr-telegram.service',
      'agentpr-webhook-audit-alert.service',
      'agentpr-webhook-audit-alert.timer',
    ]);
  });

  it.each(Object.entries(SERVICES))('%s is a hardened, restarting service gated by its doctor', (file, expected) => {
    const u = unit(file);
    expect(u.value('Service', 'Type')).toBe('simple');
    expect([u.value('Service', 'User'), u.value('Service', 'Group')]).toEqual(['agentpr', 'agentpr']);
    expect(u.value('Service', 'WorkingDirectory')).toBe('/var/lib/agentpr');
    expect(u.values('Service', 'Environment')).toContain('AGENTPR_HOME=/var/lib/agentpr');
    expect(u.values('Service', 'EnvironmentFile')).toEqual([expected.env]);
    expect(u.values('Service', 'ExecStartPre').map(splitCommandLine)).toEqual([[`${BIN_DIR}agentpr`, ...expected.doctor]]);
    expect(splitCommandLine(u.value('Service', 'ExecStart')!)[0]).toBe(`${BIN_DIR}${expected.start}`);
    expect([u.value('Service', 'Restart'), u.value('Service', 'RestartSec')]).toEqual(['always', '5']);
    expect(u.value('Service', 'NoNewPrivileges')).toBe('true');
    expect(u.value('Service', 'ProtectSystem')).toBe('strict');
    expect(u.values('Service', 'ReadWritePaths')).toEqual(['/var/lib/agentpr']);
    expect(u.value('Service', 'PrivateTmp')).toBe('true');
    expect(u.value('Service', 'ProtectHome')).toBe(file === 'agentpr-manager.service' ? 'read-only' : 'true');
    expect(u.value('Unit', 'After')).toContain('network-online.target');
    expect(u.value('Unit', 'Wants')).toContain('network-online.target');
    expect(u.value('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('the dashboard is a hardened, restarting service with nothing writable, on 127.0.0.1:8790, started after the writers', () => {
    const u = unit('agentpr-dashboard.service');
    expect(u.value('Service', 'Type')).toBe('simple');
    expect([u.value('Service', 'User'), u.value('Service', 'Group')]).toEqual(['agentpr', 'agentpr']);
    expect(u.value('Service', 'WorkingDirectory')).toBe('/var/lib/agentpr');
    expect(u.values('Service', 'Environment')).toContain('AGENTPR_HOME=/var/lib/agentpr');
    expect(u.values('Service', 'EnvironmentFile')).toEqual(['/etc/agentpr/dashboard.env']);
    // No ExecStartPre doctor: the service's own gate (profile read_only) checks only that it can read the store.
    expect(u.values('Service', 'ExecStartPre')).toEqual([]);
    expect(splitCommandLine(u.value('Service', 'ExecStart')!)).toEqual([`${BIN_DIR}agentpr-dashboard`, '--host', '127.0.0.1', '--port', '8790', '--trusted-proxy', '127.0.0.1']);
    expect([u.value('Service', 'Restart'), u.value('Service', 'RestartSec')]).toEqual(['always', '5']);
    expect(u.value('Service', 'NoNewPrivileges')).toBe('true');
    expect(u.value('Service', 'ProtectSystem')).toBe('strict');
    expect(u.values('Service', 'ReadOnlyPaths')).toEqual(['/var/lib/agentpr']);
    expect(u.values('Service', 'ReadWritePaths')).toEqual([]);
    expect([u.value('Service', 'ProtectHome'), u.value('Service', 'PrivateTmp')]).toEqual(['true', 'true']);
    const after = u.value('Unit', 'After')!.split(/\s+/);
    expect(after).toEqual(expect.arrayContaining(['network-online.target', 'agentpr-github-webhook.service', 'agentpr-telegram.service', 'agentpr-manager.service']));
    // Ordering only: the dashboard never pulls a writer in.
    expect(u.value('Unit', 'Wants')).toBe('network-online.target');
    expect(u.value('Unit', 'Requires')).toBeUndefined();
    expect(u.value('Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('the webhook listens on 127.0.0.1:8787 at /github/webhook with the 1 MiB limit', () => {
    const argv = splitCommandLine(unit('agentpr-github-webhook.service').value('Service', 'ExecStart')!);
    const flag = (name: string) => argv[argv.indexOf(`--${name}`) + 1];
    expect([flag('host'), flag('port'), flag('path'), flag('max-payload-bytes')]).toEqual(['127.0.0.1', '8787', '/github/webhook', '1048576']);
  });

  it('the manager runs the manager loop with a prompt file', () => {
    const argv = splitCommandLine(unit('agentpr-manager.service').value('Service', 'ExecStart')!);
    expect(argv[0]).toBe(`${BIN_DIR}agentpr-manager`);
    expect(argv[argv.indexOf('--prompt-file') + 1]).toMatch(/^\/.+\.md$/);
  });

  it('the audit alert is a oneshot webhook-audit-summary alerting on any retryable failure or over 5 % HTTP 5xx in 30 minutes, started by its timer', () => {
    const svc = unit('agentpr-webhook-audit-alert.service');
    expect(svc.value('Service', 'Type')).toBe('oneshot');
    expect(splitCommandLine(svc.value('Service', 'ExecStart')!)).toEqual([
      `${BIN_DIR}agentpr`,
      'webhook-audit-summary',
      '--since-minutes',
      '30',
      '--max-lines',
      '5000',
      '--fail-on-retryable-failures',
      '0',
      '--fail-on-http5xx-rate',
      '5',
    ]);
    const timer = unit('agentpr-webhook-audit-alert.timer');
    expect(Object.fromEntries(timer.sections.Timer!.map((e) => [e.key, e.value]))).toEqual({
      OnBootSec: '3m',
      OnUnitActiveSec: '10m',
      AccuracySec: '30s',
      Persistent: 'true',
      Unit: 'agentpr-webhook-audit-alert.service',
    });
    expect(timer.value('Install', 'WantedBy')).toBe('timers.target');
  });
});

const analyze = which('systemd-analyze');
const skip = announceSkip('systemd-analyze checks', analyze ? undefined : 'systemd-analyze is not installed (Debian: apt-get install systemd)');

/**
 * Copies the units into a temp dir with every /usr/local/bin/ program replaced by an executable stub there:
 * `verify` checks that ExecStart programs exist, and agentpr is not installed on the test machine.
 */
function stagedUnits(patch: (file: string, text: string) => string = (_f, t) => t): { dir: string; files: string[] } {
  const dir = tempDir('agentpr-units-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const name of ['agentpr', 'agentpr-webhook', 'agentpr-bot', 'agentpr-manager', 'agentpr-dashboard']) {
    writeFileSync(join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, name), 0o755);
  }
  const files = unitFiles().map((file) => {
    const text = readDeploy(`systemd/${file}`);
    const staged = file.endsWith('.timer') ? text : substitute(text, BIN_DIR, `${bin}/`, file);
    writeFileSync(join(dir, file), patch(file, staged));
    return join(dir, file);
  });
  return { dir, files };
}

describe.skipIf(skip)('systemd units: systemd-analyze', () => {
  it('verify accepts every unit with no message at all', () => {
    const { dir, files } = stagedUnits();
    const r = run(analyze!, ['verify', '--man=no', '--generators=no', ...files], { cwd: dir });
    expect(r.stderr.trim(), 'systemd-analyze verify printed warnings').toBe('');
    expect(r.code).toBe(0);
  });

  it('verify reports a misspelled key and a bad value (the check can fail)', () => {
    const { dir, files } = stagedUnits((file, text) => (file === 'agentpr-telegram.service' ? text.replace('Restart=always', 'Restart=sometimes\nNoNewPrivilege=true') : text));
    const r = run(analyze!, ['verify', '--man=no', '--generators=no', ...files], { cwd: dir });
    expect(r.stderr).toContain("Unknown key 'NoNewPrivilege'");
    expect(r.stderr).toContain('sometimes');
  });

  it('verify reports a missing ExecStart program', () => {
    const { dir, files } = stagedUnits((file, text) => (file === 'agentpr-manager.service' ? text.replace(/ExecStart=\S+/, 'ExecStart=/nonexistent/agentpr-manager') : text));
    const r = run(analyze!, ['verify', '--man=no', '--generators=no', ...files], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/agentpr-manager');
  });

  it.each(Object.entries(EXPOSURE_LIMITS))('security --offline rates %s at most %s', (file, limit) => {
    const { dir } = stagedUnits();
    const r = run(analyze!, ['security', '--offline=true', '--no-pager', join(dir, file)], { cwd: dir });
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(r.stdout + r.stderr);
    expect(level, r.stdout + r.stderr).not.toBeNull();
    expect(Number(level![1])).toBeLessThanOrEqual(limit);
  });
});
