import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '@agentpr/testing';
import { createGitRunner } from '@agentpr/workspace';
import { currentBranch, headSha, remoteBranchHead, remoteUrl, treeOf, upstreamDefaultBranch } from '../git-reads.js';
import { git, GIT_ENV } from '../../__tests__/github-fixtures.js';

afterAll(() => cleanupTempDirs());

/** A workspace on branch `feature` with one commit, pushed to a bare `origin`. */
async function workspace(): Promise<{ dir: string; remote: string; sha: string }> {
  const remote = join(tempDir('agentpr-origin-'), 'origin.git');
  await execa('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: GIT_ENV, extendEnv: false, stdin: 'ignore' });
  const dir = tempDir('agentpr-ws-');
  await git(dir, 'init', '-q', '-b', 'feature');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', 'one');
  await git(dir, 'remote', 'add', 'origin', remote);
  await git(dir, 'push', '-q', 'origin', 'feature');
  return { dir, remote, sha: await git(dir, 'rev-parse', 'HEAD') };
}

describe('PR gate git reads over the hardened Git port', () => {
  const port = createGitRunner({ env: GIT_ENV });

  it('reads the branch, HEAD, tree, origin URL and where a branch is on origin', async () => {
    const ws = await workspace();
    expect(await currentBranch(port, ws.dir)).toBe('feature');
    expect(await headSha(port, ws.dir)).toBe(ws.sha);
    expect(await treeOf(port, ws.dir, ws.sha)).toBe(await git(ws.dir, 'rev-parse', 'HEAD^{tree}'));
    expect(await treeOf(port, ws.dir, 'f'.repeat(40))).toBeNull();
    expect(await remoteUrl(port, ws.dir, 'origin')).toBe(ws.remote);
    expect(await remoteUrl(port, ws.dir, 'upstream')).toBeNull();
    expect(await remoteBranchHead(port, ws.dir, 'origin', 'feature')).toEqual({ kind: 'at', sha: ws.sha });
    expect(await remoteBranchHead(port, ws.dir, 'origin', 'nope')).toEqual({ kind: 'missing' });
    expect(await remoteBranchHead(port, ws.dir, 'nowhere', 'feature')).toMatchObject({ kind: 'unreadable', error: expect.any(String) });
    expect(await upstreamDefaultBranch(port, ws.dir)).toBeNull();
  });

  it('knows upstream/HEAD without the remote name, and no branch on a detached HEAD', async () => {
    const ws = await workspace();
    await git(ws.dir, 'update-ref', 'refs/remotes/upstream/develop', ws.sha);
    await git(ws.dir, 'symbolic-ref', 'refs/remotes/upstream/HEAD', 'refs/remotes/upstream/develop');
    expect(await upstreamDefaultBranch(port, ws.dir)).toBe('develop');
    await git(ws.dir, 'checkout', '-q', '--detach');
    expect(await currentBranch(port, ws.dir)).toBeNull();
  });
});
