import { describe, expect, it } from 'vitest';
import { isLocalRemote, isLoopbackUrl, resolveOfflineMode } from './offline-mode.js';
import { parseManagerPolicy } from './manager-policy.js';

describe('resolveOfflineMode', () => {
  const local = { GITHUB_API_URL: 'http://127.0.0.1:4010' };

  it('is on automatically with a loopback API URL and local remotes (paths and file:// URLs)', () => {
    expect(resolveOfflineMode({ env: local, remotes: ['/srv/up.git', 'file:///srv/fork.git'] })).toEqual({
      offline: true,
      source: 'auto',
      reason: 'the GitHub API URL is loopback and the remotes are local',
    });
  });

  it('stays off when a remote is on a network, and says which without its credentials', () => {
    const mode = resolveOfflineMode({ env: local, remotes: ['/srv/up.git', 'https://x:s3cret@github.com/me/fork.git'] });
    expect(mode).toEqual({ offline: false, reason: 'the remote https://***@github.com/me/fork.git is not a local path' });
  });

  it('stays off without a loopback API URL', () => {
    expect(resolveOfflineMode({ env: {}, remotes: ['/srv/up.git'] }).offline).toBe(false);
    expect(resolveOfflineMode({ env: { GITHUB_API_URL: 'https://ghe.example.com/api/v3' } }).offline).toBe(false);
  });

  it('takes --offline, then AGENTPR_OFFLINE, then the policy; AGENTPR_OFFLINE=0 keeps it off', () => {
    expect(resolveOfflineMode({ env: {}, flag: true })).toMatchObject({ offline: true, source: 'flag' });
    expect(resolveOfflineMode({ env: { AGENTPR_OFFLINE: '1' } })).toMatchObject({ offline: true, source: 'env' });
    expect(resolveOfflineMode({ env: {}, policy: true })).toMatchObject({ offline: true, source: 'policy' });
    expect(resolveOfflineMode({ env: { ...local, AGENTPR_OFFLINE: '0' }, policy: true })).toMatchObject({ offline: false });
  });

  it('a --github-api-url flag wins over GITHUB_API_URL', () => {
    expect(resolveOfflineMode({ env: local, githubApiUrl: 'https://api.github.com' }).offline).toBe(false);
    expect(resolveOfflineMode({ env: {}, githubApiUrl: 'http://localhost:9000' }).offline).toBe(true);
  });
});

describe('isLoopbackUrl and isLocalRemote', () => {
  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://127.1.2.3', true],
    ['http://[::1]:80/', true],
    ['http://localhost:3000', true],
    ['https://api.github.com', false],
    ['http://10.0.0.1', false],
    ['ftp://127.0.0.1', false],
    ['not a url', false],
  ])('isLoopbackUrl(%s) is %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it.each([
    ['/srv/repo.git', true],
    ['file:///srv/repo.git', true],
    ['../repo', true],
    ['repo.git', true],
    ['git@github.com:me/repo.git', false],
    ['https://github.com/me/repo.git', false],
    ['ssh://git@host/repo.git', false],
  ])('isLocalRemote(%s) is %s', (remote, expected) => {
    expect(isLocalRemote(remote)).toBe(expected);
  });
});

describe('the policy switch', () => {
  it('"offline": true is accepted without a warning; a non-boolean is refused with its path', () => {
    const ok = parseManagerPolicy({ offline: true });
    expect(ok).toMatchObject({ ok: true, policy: { offline: true }, warnings: [] });
    const bad = parseManagerPolicy({ offline: 'yes' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]).toMatch(/^offline: must be true or false/);
  });
});
