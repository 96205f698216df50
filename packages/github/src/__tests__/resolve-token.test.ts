import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { requireGitHubToken, resolveGitHubApiUrl, resolveGitHubToken } from '../resolve-token.js';

afterAll(cleanupTempDirs);

function fakeGh(script: string): string {
  const dir = tempDir('agentpr-gh-');
  const file = join(dir, 'gh');
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return dir;
}

describe('resolveGitHubToken', () => {
  it('resolveGitHubToken prefers GITHUB_TOKEN, then GH_TOKEN', async () => {
    expect(await resolveGitHubToken({ GITHUB_TOKEN: ' a ', GH_TOKEN: 'b' })).toEqual({ token: 'a', source: 'GITHUB_TOKEN' });
    expect(await resolveGitHubToken({ GH_TOKEN: 'b' })).toEqual({ token: 'b', source: 'GH_TOKEN' });
  });

  it('resolveGitHubToken falls back to `gh auth token`, passing the Enterprise host', async () => {
    const dir = fakeGh('if [ "$3" = "--hostname" ]; then echo "tok-for-$4"; else echo tok-public; fi');
    expect(await resolveGitHubToken({ PATH: dir })).toEqual({ token: 'tok-public', source: 'gh' });
    expect(await resolveGitHubToken({ PATH: dir, GITHUB_API_URL: 'https://ghe.example.com/api/v3' })).toEqual({ token: 'tok-for-ghe.example.com', source: 'gh' });
  });

  it('resolveGitHubToken without a token and with gh logged out or missing is undefined', async () => {
    expect(await resolveGitHubToken({ PATH: fakeGh('echo "not logged in" >&2; exit 1') })).toBeUndefined();
    expect(await resolveGitHubToken({ PATH: tempDir() })).toBeUndefined();
  });

  it('requireGitHubToken without any token names every way to provide one', async () => {
    await expect(requireGitHubToken({ PATH: tempDir() })).rejects.toMatchObject({ code: 'token_missing', message: expect.stringMatching(/GITHUB_TOKEN.*GH_TOKEN.*gh auth login/) });
  });
});

describe('resolveGitHubApiUrl', () => {
  it('resolveGitHubApiUrl takes the flag, then GITHUB_API_URL, then api.github.com', () => {
    expect(resolveGitHubApiUrl('http://127.0.0.1:9/', { GITHUB_API_URL: 'https://x' })).toBe('http://127.0.0.1:9');
    expect(resolveGitHubApiUrl(undefined, { GITHUB_API_URL: 'https://ghe.example.com/api/v3' })).toBe('https://ghe.example.com/api/v3');
    expect(resolveGitHubApiUrl(undefined, {})).toBe('https://api.github.com');
  });
});
