import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOctokitClient, type GitHubClient } from '@agentpr/github';
import { startGitHubStub, type GitHubStub } from '@agentpr/github-stub';
import { createRun } from '@agentpr/store';
import { freshDatabase, makeBareFork, makeUpstream, type TestDatabase, type TestRemote } from '@agentpr/testing';
import { pushedRun, testApp, type PushedRun, type TestApp } from '../../__tests__/github-fixtures.js';
import type { AppContext } from '../../context.js';

/** The stand-in's token. */
const TOKEN = 'stub-token';

/**
 * A world for the gates end to end: the GitHub stand-in, a fresh SQLite store, and a context whose GitHub port
 * talks to the stand-in. `AGENTPR_OFFLINE=0` says the stand-in serves the runs' repositories although their git
 * remotes are local, so the gates ask it instead of passing as `not_on_github`.
 */
export interface GatesWorld {
  stub: GitHubStub;
  github: GitHubClient;
  app: TestApp;
  ctx: AppContext;
  /** Writes the policy file (campaign_defaults, campaigns, …). */
  policy(policy: Record<string, unknown>): void;
  close(): Promise<void>;
}

export async function gatesWorld(): Promise<GatesWorld> {
  const stub = await startGitHubStub({ token: TOKEN });
  const github = createOctokitClient({ token: TOKEN, baseUrl: stub.url, throttle: false, retries: 0 });
  const tdb: TestDatabase = await freshDatabase('sqlite');
  const app = await testApp(tdb.location, 'operator', { github });
  stub.setNow(() => app.clock());
  const ctx: AppContext = { ...app.ctx, env: { ...app.ctx.env, AGENTPR_OFFLINE: '0' } };
  return {
    stub,
    github,
    app,
    ctx,
    policy: (policy) => writeFileSync(ctx.paths.policyFile, JSON.stringify(policy)),
    close: async () => {
      await stub.close();
      await app.close();
      await tdb.drop();
    },
  };
}

/** A repository on the stand-in that a maintainer committed to three days ago (so it is not inactive), with `files`. */
export function activeRepo(world: GatesWorld, owner: string, repo: string, files: Record<string, string> = {}): void {
  world.stub.addRepo(owner, repo, { defaultBranch: 'main' });
  world.stub.addCommit(owner, repo, { date: new Date(world.app.clock().getTime() - 3 * 86_400_000).toISOString(), message: 'fix: something', author: 'maintainer' });
  for (const [path, text] of Object.entries(files)) world.stub.addFile(owner, repo, path, text);
}

/** A QUEUED run of `owner/repo` whose upstream is a local bare repository, ready for run-prepare. */
export async function queuedRun(
  world: GatesWorld,
  runId: string,
  owner: string,
  repo: string,
): Promise<{ upstream: TestRemote; fork: TestRemote; workspace: string }> {
  const upstream = await makeUpstream({ files: { 'README.md': `# ${repo}\n` } });
  const fork = await makeBareFork(upstream);
  const workspace = join(world.ctx.paths.workspaceRoot, owner, repo, runId);
  await createRun(world.ctx.db, { runId, owner, repo, promptVersion: 'v1', mode: 'push_only', budget: {}, workspaceDir: workspace }, world.ctx.clock);
  return { upstream, fork, workspace };
}

/** A PUSHED run of `owner/repo` (local fork, passing digest) whose branch the stand-in knows, ready for request-open-pr. */
export async function pushedOn(world: GatesWorld, owner: string, repo: string): Promise<PushedRun> {
  const run = await pushedRun(world.ctx, { owner, repo });
  world.stub.setBranchHead({ owner, repo, headOwner: run.forkOwner, branch: run.branch, sha: run.headSha });
  return run;
}
