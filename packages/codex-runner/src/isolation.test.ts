import { describe, expect, it } from 'vitest';
import { fakeFileProbe } from './__tests__/fake-file-probe.js';
import { buildIsolatedCommand, codexInstallRoot, findBwrap } from './isolation.js';

describe('buildIsolatedCommand', () => {
  it('buildIsolatedCommand none returns the command unchanged', () => {
    expect(buildIsolatedCommand({ level: 'none', command: '/bin/codex', args: ['exec', '-'], cwd: '/w', writablePaths: ['/w'], network: true })).toEqual({
      command: '/bin/codex',
      args: ['exec', '-'],
    });
  });

  it('buildIsolatedCommand bwrap: read-only root, private /tmp, writable binds only, network by policy, dies with parent', () => {
    const { command, args } = buildIsolatedCommand({
      level: 'bwrap',
      command: '/opt/codex',
      args: ['exec', '-'],
      cwd: '/tmp/ws/run',
      writablePaths: ['/tmp/ws/run', '/tmp/ws/run/.agentpr_runtime', '/srv/codex-home'],
      readOnlyPaths: ['/tmp/pkg/node_modules', '/usr/share', '/tmp/ws/run/inside'],
      network: true,
    });
    expect(command).toBe('bwrap');
    expect(args).toEqual([
      '--ro-bind', '/', '/',
      '--dev', '/dev',
      '--proc', '/proc',
      '--tmpfs', '/tmp',
      '--bind', '/tmp/ws/run', '/tmp/ws/run',
      '--bind', '/srv/codex-home', '/srv/codex-home',
      '--ro-bind', '/tmp/pkg/node_modules', '/tmp/pkg/node_modules',
      '--unshare-all',
      '--share-net',
      '--die-with-parent',
      '--chdir', '/tmp/ws/run',
      '--', '/opt/codex', 'exec', '-',
    ]);
  });

  it('buildIsolatedCommand bwrap without network leaves out --share-net', () => {
    const { args } = buildIsolatedCommand({ level: 'bwrap', command: 'x', args: [], cwd: '/w', writablePaths: ['/w'], network: false, bwrapPath: '/usr/bin/bwrap' });
    expect(args).toContain('--unshare-all');
    expect(args).not.toContain('--share-net');
  });

  it('codexInstallRoot is null outside /tmp and the outermost node_modules under /tmp', () => {
    expect(codexInstallRoot('/usr/local/bin/codex-not-there')).toBeNull();
    expect(codexInstallRoot('/tmp/x/node_modules/@openai/codex/bin/codex.js')).toBe('/tmp/x/node_modules');
    expect(codexInstallRoot('/tmp/tools/codex')).toBe('/tmp/tools');
  });

  it('findBwrap prefers AGENTPR_BWRAP_BIN and otherwise searches PATH', () => {
    const fs = fakeFileProbe({ '/usr/bin/bwrap': { exec: true }, '/opt/bwrap': { exec: true } });
    expect(findBwrap({ PATH: '/bin:/usr/bin' }, fs)).toBe('/usr/bin/bwrap');
    expect(findBwrap({ PATH: '/usr/bin', AGENTPR_BWRAP_BIN: '/opt/bwrap' }, fs)).toBe('/opt/bwrap');
    expect(findBwrap({ PATH: '/usr/bin', AGENTPR_BWRAP_BIN: '/nope' }, fs)).toBeNull();
    expect(findBwrap({ PATH: '/bin' }, fs)).toBeNull();
  });
});
