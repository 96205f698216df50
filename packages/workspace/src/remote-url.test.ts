import { describe, expect, it } from 'vitest';
import { githubRepoUrl, ownerFromRemoteUrl, sameRemote } from './remote-url.js';
import { redactSecrets } from './redact.js';

describe('ownerFromRemoteUrl', () => {
  it.each([
    ['https://github.com/acme/widgets.git', 'acme'],
    ['https://github.com/acme/widgets', 'acme'],
    ['https://x-access-token:abc@github.com/acme/widgets.git', 'acme'],
    ['git@github.com:acme/widgets.git', 'acme'],
    ['ssh://git@github.com/acme/widgets.git', 'acme'],
    ['/srv/git/acme/widgets.git', 'acme'],
    ['widgets.git', ''],
  ])('ownerFromRemoteUrl(%j) is %j', (url, owner) => {
    expect(ownerFromRemoteUrl(url)).toBe(owner);
  });

  it('sameRemote ignores a trailing .git and slashes only', () => {
    expect(sameRemote('https://github.com/a/b.git', 'https://github.com/a/b/')).toBe(true);
    expect(sameRemote('https://github.com/a/b.git', 'https://github.com/a/c.git')).toBe(false);
    expect(githubRepoUrl('a', 'b')).toBe('https://github.com/a/b.git');
  });

  it('redactSecrets hides credentials in URLs and GitHub token shapes', () => {
    expect(redactSecrets("fatal: unable to access 'https://x-access-token:ghs_abcdef123456@github.com/a/b.git/'")).toBe("fatal: unable to access 'https://***@github.com/a/b.git/'");
    expect(redactSecrets('token ghp_abcdefghijklmnop and github_pat_11ABCDEFG_xyz')).toBe('token ghp_*** and github_pat_***');
  });
});
