import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { CodexRunnerError } from './errors.js';
import {
  buildIsolatedCommand,
  codexInstallRoot,
  describeIsolation,
  findBwrap,
  toolchainReadOnlyPaths,
  type HostEntry,
  type HostView,
  type IsolationOptions,
} from './isolation.js';

/** A merged-usr Debian host: /bin, /lib, /lib64, /sbin are symlinks into /usr; a workspace with a .git dir. */
function fakeHost(entries: Record<string, HostEntry> = {}): HostView {
  const all: Record<string, HostEntry> = {
    '/usr': { kind: 'directory' },
    '/bin': { kind: 'symlink', target: 'usr/bin' },
    '/sbin': { kind: 'symlink', target: 'usr/sbin' },
    '/lib': { kind: 'symlink', target: 'usr/lib' },
    '/lib64': { kind: 'symlink', target: 'usr/lib64' },
    '/etc/passwd': { kind: 'file' },
    '/etc/ssl/certs': { kind: 'directory' },
    '/etc/resolv.conf': { kind: 'symlink', target: '/run/systemd/resolve/stub-resolv.conf' },
    '/etc/shadow': { kind: 'file' },
    '/etc/gitconfig': { kind: 'file' },
    '/etc/npmrc': { kind: 'file' },
    '/srv/ws/run_1/.git': { kind: 'directory' },
    ...entries,
  };
  return { lookup: (path) => all[path] ?? { kind: 'missing' } };
}

const base: IsolationOptions = {
  level: 'bwrap',
  command: '/opt/codex/bin/codex',
  args: ['exec', '-'],
  cwd: '/srv/ws/run_1',
  writablePaths: ['/srv/ws/run_1', '/srv/ws/run_1/.agentpr_runtime', '/var/lib/agentpr/attempts/ch-1'],
  readOnlyPaths: ['/opt/codex', '/usr/share/skills', '/srv/ws/run_1/inside'],
  network: 'on',
  host: fakeHost(),
};

/** The `[flag, path]` pairs of the bind-like options, in order. */
function binds(args: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--') break;
    if (['--bind', '--ro-bind', '--ro-bind-try'].includes(args[i]!)) out.push([args[i]!, args[i + 2]!]);
  }
  return out;
}

describe('buildIsolatedCommand', () => {
  it('buildIsolatedCommand none returns the command unchanged', () => {
    expect(buildIsolatedCommand({ ...base, level: 'none' })).toEqual({ command: '/opt/codex/bin/codex', args: ['exec', '-'] });
  });

  it('buildIsolatedCommand bwrap builds the view from system dirs, curated /etc, toolchains and writable paths, never the host root', () => {
    const { command, args } = buildIsolatedCommand(base);
    expect(command).toBe('bwrap');
    expect(args).toEqual([
      '--dev', '/dev',
      '--proc', '/proc',
      '--tmpfs', '/tmp',
      '--dir', '/run',
      '--ro-bind', '/usr', '/usr',
      '--symlink', 'usr/bin', '/bin',
      '--symlink', 'usr/sbin', '/sbin',
      '--symlink', 'usr/lib', '/lib',
      '--symlink', 'usr/lib64', '/lib64',
      '--ro-bind-try', '/etc/ssl/certs', '/etc/ssl/certs',
      '--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf',
      '--ro-bind-try', '/etc/passwd', '/etc/passwd',
      '--ro-bind', '/opt/codex', '/opt/codex',
      '--bind', '/srv/ws/run_1', '/srv/ws/run_1',
      '--ro-bind', '/srv/ws/run_1/.git', '/srv/ws/run_1/.git',
      '--bind', '/var/lib/agentpr/attempts/ch-1', '/var/lib/agentpr/attempts/ch-1',
      '--remount-ro', '/',
      '--unshare-all',
      '--share-net',
      '--uid', '1000',
      '--gid', '1000',
      '--hostname', 'agentpr-sandbox',
      '--die-with-parent',
      '--new-session',
      '--cap-drop', 'ALL',
      '--chdir', '/srv/ws/run_1',
      '--', '/opt/codex/bin/codex', 'exec', '-',
    ]);
  });

  it('buildIsolatedCommand bwrap never binds /, /root, /home, /etc/shadow, gitconfig, npmrc, /sys or the host /proc and /run', () => {
    const { args } = buildIsolatedCommand(base);
    const sources = binds(args).map(([, path]) => path);
    for (const hidden of ['/', '/root', '/home', '/etc', '/etc/shadow', '/etc/gshadow', '/etc/gitconfig', '/etc/npmrc', '/sys', '/proc', '/run', '/var/lib/agentpr']) {
      expect(sources).not.toContain(hidden);
    }
    // /proc and /run exist only as the sandbox's own mounts.
    expect(args.join(' ')).toContain('--proc /proc');
    expect(args.join(' ')).toContain('--dir /run');
    expect(args).not.toContain('/sys');
  });

  it('buildIsolatedCommand bwrap re-binds <ws>/.git read-only after the writable workspace bind, and a worktree .git file too', () => {
    const list = binds(buildIsolatedCommand(base).args);
    const ws = list.findIndex(([flag, path]) => flag === '--bind' && path === '/srv/ws/run_1');
    const git = list.findIndex(([flag, path]) => flag === '--ro-bind' && path === '/srv/ws/run_1/.git');
    expect(ws).toBeGreaterThanOrEqual(0);
    expect(git).toBeGreaterThan(ws);

    const worktree = buildIsolatedCommand({ ...base, host: fakeHost({ '/srv/ws/run_1/.git': { kind: 'file' } }) }).args.join(' ');
    expect(worktree).toContain('--ro-bind /srv/ws/run_1/.git /srv/ws/run_1/.git');
    const noGit = buildIsolatedCommand({ ...base, host: fakeHost({ '/srv/ws/run_1/.git': { kind: 'missing' } }) }).args.join(' ');
    expect(noGit).not.toContain('.git');
  });

  it('buildIsolatedCommand bwrap with <ws>/.git as a symlink refuses to build the sandbox', () => {
    const host = fakeHost({ '/srv/ws/run_1/.git': { kind: 'symlink', target: '/root/.ssh' } });
    expect(() => buildIsolatedCommand({ ...base, host })).toThrow(CodexRunnerError);
    expect(() => buildIsolatedCommand({ ...base, host })).toThrow(/\/srv\/ws\/run_1\/\.git is a symlink/);
  });

  it('buildIsolatedCommand bwrap binds real system dirs where the host has no merged-usr symlinks', () => {
    const host = fakeHost({ '/bin': { kind: 'directory' }, '/lib': { kind: 'directory' }, '/lib32': { kind: 'directory' }, '/lib64': { kind: 'missing' } });
    const args = buildIsolatedCommand({ ...base, host }).args.join(' ');
    expect(args).toContain('--ro-bind /bin /bin');
    expect(args).toContain('--ro-bind /lib /lib');
    expect(args).toContain('--ro-bind /lib32 /lib32');
    expect(args).toContain('--symlink usr/sbin /sbin');
    expect(args).not.toContain('/lib64');
    expect(args).not.toContain('/libx32');
  });

  it('buildIsolatedCommand bwrap network off and allowlist keep the network unshared; only on shares it', () => {
    const egress = { socketDir: '/run/agentpr/egress-1', wrapper: ['node', '/opt/bridge.js', '--socket', '/run/agentpr/egress-1/s.sock', '--'] };
    expect(buildIsolatedCommand({ ...base, network: 'on' }).args).toContain('--share-net');
    for (const options of [{ ...base, network: 'off' as const }, { ...base, network: 'allowlist' as const, egress }, { ...base, network: false }]) {
      const { args } = buildIsolatedCommand(options);
      expect(args).toContain('--unshare-all');
      expect(args).not.toContain('--share-net');
    }
    expect(buildIsolatedCommand({ ...base, network: true }).args).toContain('--share-net');
  });

  it('buildIsolatedCommand bwrap allowlist binds the socket dir after /run and runs the wrapper in front of the command', () => {
    const egress = { socketDir: '/run/agentpr/egress-1', wrapper: ['node', '/opt/bridge.js', '--socket', '/run/agentpr/egress-1/s.sock', '--'] };
    const { args } = buildIsolatedCommand({ ...base, network: 'allowlist', egress });
    const run = args.indexOf('/run');
    const socket = args.indexOf('/run/agentpr/egress-1');
    expect(run).toBeGreaterThanOrEqual(0);
    expect(socket).toBeGreaterThan(run);
    expect(args[socket - 1]).toBe('--ro-bind');
    expect(args.slice(args.indexOf('--') + 1)).toEqual(['node', '/opt/bridge.js', '--socket', '/run/agentpr/egress-1/s.sock', '--', '/opt/codex/bin/codex', 'exec', '-']);
    // Without allowlist the wrapper and socket dir are not used.
    const off = buildIsolatedCommand({ ...base, network: 'off', egress }).args;
    expect(off).not.toContain('/opt/bridge.js');
    expect(off).not.toContain('/run/agentpr/egress-1');
  });

  it('buildIsolatedCommand bwrap allowlist without an egress bridge, a relative path or / refuses with one line', () => {
    expect(() => buildIsolatedCommand({ ...base, network: 'allowlist' })).toThrow(/network allowlist needs egress/);
    expect(() => buildIsolatedCommand({ ...base, writablePaths: ['ws'] })).toThrow(/writable path "ws" must be absolute/);
    expect(() => buildIsolatedCommand({ ...base, readOnlyPaths: ['/'] })).toThrow(/would expose the whole host/);
    expect(() => buildIsolatedCommand({ ...base, network: 'maybe' as never })).toThrow(/network must be one of off, on, allowlist/);
  });

  it('buildIsolatedCommand bwrap orders parents before children across read-only and writable paths', () => {
    const { args } = buildIsolatedCommand({ ...base, readOnlyPaths: ['/srv/data'], writablePaths: ['/srv/data/attempts/ch-2', '/srv/ws/run_1'] });
    const list = binds(args).filter(([, path]) => path.startsWith('/srv'));
    expect(list).toEqual([
      ['--ro-bind', '/srv/data'],
      ['--bind', '/srv/ws/run_1'],
      ['--bind', '/srv/data/attempts/ch-2'],
      ['--ro-bind', '/srv/ws/run_1/.git'],
    ]);
  });
});

describe('describeIsolation', () => {
  it('describeIsolation bwrap lists read-only, writable, symlinked and private paths, the network and the PID namespace', () => {
    const summary = describeIsolation({ ...base, network: 'off' });
    expect(summary).toEqual({
      level: 'bwrap',
      readOnly: ['/usr', '/etc/ssl/certs', '/etc/resolv.conf', '/etc/passwd', '/opt/codex', '/srv/ws/run_1/.git'],
      writable: ['/srv/ws/run_1', '/var/lib/agentpr/attempts/ch-1'],
      symlinks: ['/bin -> usr/bin', '/sbin -> usr/sbin', '/lib -> usr/lib', '/lib64 -> usr/lib64'],
      private: ['/dev', '/proc', '/tmp', '/run'],
      network: 'off',
      pidNamespace: true,
    });
  });

  it('describeIsolation none says the agent sees everything its user can', () => {
    expect(describeIsolation({ ...base, level: 'none' })).toMatchObject({ level: 'none', writable: ['/'], network: 'on', pidNamespace: false });
  });
});

describe('toolchain paths', () => {
  it('codexInstallRoot is the outermost node_modules above the binary, else its directory', () => {
    expect(codexInstallRoot('/tmp/x/node_modules/@openai/codex/node_modules/y/bin/codex.js')).toBe('/tmp/x/node_modules');
    expect(codexInstallRoot('/home/op/.npm/lib/node_modules/@openai/codex/bin/codex.js')).toBe('/home/op/.npm/lib/node_modules');
    expect(codexInstallRoot('/opt/tools/codex')).toBe('/opt/tools');
  });

  it('toolchainReadOnlyPaths adds the codex install root and node prefix, except under system dirs', () => {
    expect(toolchainReadOnlyPaths({ codexBin: '/home/op/.npm/lib/node_modules/@openai/codex/bin/codex.js', nodeExecPath: '/home/op/.nvm/versions/node/v20/bin/node' })).toEqual([
      '/home/op/.npm/lib/node_modules',
      '/home/op/.nvm/versions/node/v20',
    ]);
    expect(toolchainReadOnlyPaths({ codexBin: '/usr/local/lib/node_modules/@openai/codex/bin/codex.js', nodeExecPath: '/usr/bin/node-not-here' })).toEqual([]);
    expect(toolchainReadOnlyPaths({ codexBin: '/opt/codex/codex' })).toEqual(['/opt/codex']);
  });
});

describe('findBwrap', () => {
  it('findBwrap prefers AGENTPR_BWRAP_BIN and otherwise searches PATH', () => {
    const fs = fakeFileProbe({ '/usr/bin/bwrap': { exec: true }, '/opt/bwrap': { exec: true } });
    expect(findBwrap({ PATH: '/bin:/usr/bin' }, fs)).toBe('/usr/bin/bwrap');
    expect(findBwrap({ PATH: '/usr/bin', AGENTPR_BWRAP_BIN: '/opt/bwrap' }, fs)).toBe('/opt/bwrap');
    expect(findBwrap({ PATH: '/usr/bin', AGENTPR_BWRAP_BIN: '/nope' }, fs)).toBeNull();
    expect(findBwrap({ PATH: '/bin' }, fs)).toBeNull();
  });
});
