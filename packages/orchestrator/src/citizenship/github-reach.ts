import { existsSync } from 'node:fs';
import { isLocalRemote, resolveOfflineMode } from '@agentpr/policy';
import type { RunRow } from '@agentpr/store';
import { githubRepoUrl, redactSecrets } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { remoteUrl } from '../pr-gate/git-reads.js';
import { localWorkspaceDir } from '../workspace/local-run.js';

/** `AGENTPR_OFFLINE` set to a false word: the operator says the configured GitHub API serves the run, local remotes or not. */
const EXPLICITLY_ONLINE = /^(?:0|false|no|off)$/i;

/** A run as the reach check reads it: a run row carries `workspace_rel`, resolved under this host's root. */
type ReachRun = Pick<RunRow, 'owner' | 'repo' | 'workspace_dir'> & Partial<Pick<RunRow, 'run_id' | 'workspace_rel'>>;

/**
 * What the run clones: the `upstream` remote of its workspace on this host (run-prepare adds it), else its `origin`
 * (without a fork, origin is the upstream), else null when there is no workspace here yet or git cannot tell.
 */
async function workspaceUpstream(ctx: Pick<AppContext, 'git' | 'paths'>, run: ReachRun): Promise<string | null> {
  const dir = run.workspace_rel === undefined ? run.workspace_dir : localWorkspaceDir(ctx, { run_id: run.run_id ?? '', workspace_rel: run.workspace_rel });
  if (!existsSync(dir)) return null;
  return (await remoteUrl(ctx.git, dir, 'upstream')) ?? (await remoteUrl(ctx.git, dir, 'origin'));
}

/**
 * Why the run's upstream is not on GitHub, or null when it is, so a gate that needs GitHub can tell "nothing to
 * ask" from "cannot ask". The upstream is `upstreamUrl` (run-prepare's `--upstream-url`), else the workspace's
 * remote, else `https://github.com/<owner>/<repo>.git`. Not on GitHub: offline mode (resolveOfflineMode: the flag,
 * `AGENTPR_OFFLINE=1`, the policy's `offline`, or a loopback API URL with a local upstream), or a local upstream
 * (a path or `file://` URL) unless `AGENTPR_OFFLINE=0` says the configured GitHub API (e.g. the stand-in) serves it.
 *
 * @example
 * await githubReach(ctx, run, '/srv/git/widgets.git', false) // → 'the upstream /srv/git/widgets.git is a local repository'
 */
export async function githubReach(
  ctx: Pick<AppContext, 'git' | 'env' | 'paths'>,
  run: ReachRun,
  upstreamUrl: string | undefined,
  policyOffline: boolean,
): Promise<string | null> {
  const upstream = upstreamUrl?.trim() || (await workspaceUpstream(ctx, run)) || githubRepoUrl(run.owner, run.repo);
  const mode = resolveOfflineMode({ env: ctx.env, policy: policyOffline, remotes: [upstream] });
  if (mode.offline) return `offline mode (${mode.reason})`;
  if (EXPLICITLY_ONLINE.test((ctx.env.AGENTPR_OFFLINE ?? '').trim())) return null;
  if (isLocalRemote(upstream)) return `the upstream ${redactSecrets(upstream)} is a local repository, not on GitHub`;
  return null;
}
