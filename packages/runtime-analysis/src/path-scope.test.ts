import { describe, expect, it } from 'vitest';
import { buildPathScope, credentialLabel, isGitInternal, resolvePathWord, writeEscape } from './path-scope.js';

const scope = buildPathScope({ workspaceDir: '/ws/run/', tmpDirs: ['/ws/run/.agentpr_runtime/tmp', 'relative/ignored'], allowedWriteRoots: ['/cache'] });

describe('buildPathScope', () => {
  it('normalises the workspace and keeps only absolute roots, /tmp always allowed', () => {
    expect(scope).toEqual({ workspaceDir: '/ws/run', allowedRoots: ['/ws/run', '/tmp', '/private/tmp', '/ws/run/.agentpr_runtime/tmp', '/cache'], homeDir: undefined, secretPaths: [] });
  });
});

describe('resolvePathWord', () => {
  it('expands ~, $HOME, ${HOME}, ~user, $TMPDIR and $PWD; other variables are unknown', () => {
    expect(resolvePathWord('~/.ssh', '.', scope)).toEqual({ kind: 'home', path: '~/.ssh' });
    expect(resolvePathWord('${HOME}/x/../y', '.', scope)).toEqual({ kind: 'home', path: '~/y' });
    expect(resolvePathWord('$HOME/x', '.', buildPathScope({ homeDir: '/h' }))).toEqual({ kind: 'absolute', path: '/h/x' });
    expect(resolvePathWord('~alice/.netrc', '.', scope)).toEqual({ kind: 'absolute', path: '/home/alice/.netrc' });
    expect(resolvePathWord('$TMPDIR/a', '.', scope)).toEqual({ kind: 'absolute', path: '/tmp/a' });
    expect(resolvePathWord('$PWD/a', 'src', scope)).toEqual({ kind: 'absolute', path: '/ws/run/src/a' });
    expect(resolvePathWord('$OUT/a', '.', scope)).toEqual({ kind: 'unknown' });
    expect(resolvePathWord('a', '$DIR', scope)).toEqual({ kind: 'unknown' });
  });

  it('resolves relative words against the segment directory and the workspace; remote and URL words are unknown', () => {
    expect(resolvePathWord('../../x', 'src', scope)).toEqual({ kind: 'absolute', path: '/ws/x' });
    expect(resolvePathWord('x', '/opt', scope)).toEqual({ kind: 'absolute', path: '/opt/x' });
    expect(resolvePathWord('x', '~/.cache', scope)).toEqual({ kind: 'home', path: '~/.cache/x' });
    expect(resolvePathWord('../x', '.', buildPathScope({}))).toEqual({ kind: 'relative', path: '../x' });
    expect(resolvePathWord('host:/srv/x', '.', scope)).toEqual({ kind: 'unknown' });
    expect(resolvePathWord('https://example.com/x', '.', scope)).toEqual({ kind: 'unknown' });
  });
});

describe('writeEscape and credentialLabel', () => {
  it('allows the roots and the special devices; everything else outside the workspace escapes', () => {
    const esc = (w: string) => writeEscape(resolvePathWord(w, '.', scope), scope);
    expect(['/ws/run/a', '/tmp/x', '/cache/y', '/dev/null', '/dev/stderr', '/dev/fd/3', '/proc/self/fd/1', 'sub/x'].map(esc)).toEqual([null, null, null, null, null, null, null, null]);
    expect(['/ws/other', '/dev/sda', '~/x', '/ws/run/../x'].map(esc)).toEqual(['/ws/other', '/dev/sda', '~/x', '/ws/x']);
  });

  it('labels home credential stores in any home, process environments, shadow and the secret paths', () => {
    const s = buildPathScope({ workspaceDir: '/ws', homeDir: '/sandbox/home', secretPaths: ['/var/lib/agentpr'] });
    const label = (w: string) => credentialLabel(resolvePathWord(w, '.', s), s);
    expect(label('~/.ssh/id_rsa')).toBe('a credential store');
    expect(label('/home/bob/.aws/credentials')).toBe('a credential store');
    expect(label('/proc/12/environ')).toBe('a process environment');
    expect(label('/etc/shadow')).toBe('a system password or sudo file');
    expect(label('/var/lib/agentpr/agentpr.db')).toBe("agentpr's own data (/var/lib/agentpr)");
    expect(label('/ws/.npmrc')).toBeNull();
    expect(label('/home/bob/project/.npmrc')).toBeNull();
    expect(label('/tmp/operator-home/.ssh/id_ed25519')).toBe('a credential store');
    expect(label('/srv/me/.config/gh/hosts.yml')).toBe('a credential store');
    expect(label('/ws/.ssh/known_hosts')).toBeNull();
  });

  it('isGitInternal matches hooks, info and config of any .git directory, not the work tree', () => {
    expect(['/ws/.git/hooks/pre-commit', '.git/info/attributes', 'sub/.git/config'].map(isGitInternal)).toEqual([true, true, true]);
    expect(['/ws/.github/hooks/x', '/ws/.git/objects/ab', '/ws/.gitconfig'].map(isGitInternal)).toEqual([false, false, false]);
  });
});
