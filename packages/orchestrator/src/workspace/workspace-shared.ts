import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { latestArtifact, listArtifacts, type Db } from '@agentpr/store';
import { createGitRunner, loadCampaign, WorkspaceError, type Campaign, type Git } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** The `workspace_prepared` artefact's metadata (SPEC §1.6). */
export interface WorkspacePreparedMetadata {
  base_branch: string;
  base_sha: string;
  feature_branch: string;
  fork_owner: string;
}

/** The git runner a use case uses: the injected one, or the real git with the app's environment. */
export function gitFor(ctx: Pick<AppContext, 'env'>, git: Git | undefined): Git {
  return git ?? createGitRunner({ env: ctx.env });
}

/** The last `n` lines of a text, trimmed (SPEC conventions: `tail(text, N)`). */
export function tail(text: string, n = 20): string {
  const trimmed = text.trim();
  return trimmed === '' ? '' : trimmed.split('\n').slice(-n).join('\n');
}

/** A monotonic stopwatch in milliseconds. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

/** The latest `workspace_prepared` metadata of a run, if any. */
export async function preparedWorkspace(db: Db, runId: string): Promise<WorkspacePreparedMetadata | undefined> {
  const artifact = await latestArtifact(db, runId, 'workspace_prepared');
  const m = artifact?.metadata;
  if (!m || typeof m.base_sha !== 'string' || m.base_sha === '') return undefined;
  return {
    base_branch: String(m.base_branch ?? ''),
    base_sha: m.base_sha,
    feature_branch: String(m.feature_branch ?? ''),
    fork_owner: String(m.fork_owner ?? ''),
  };
}

/**
 * The budget-diff baseline (SPEC §4.7): `base_sha` of the latest `workspace_prepared` artefact, else the
 * `workspace.baseline_sha` the run's first agent step recorded in its runtime report.
 */
export async function budgetBaseline(db: Db, runId: string): Promise<string | undefined> {
  const prepared = await preparedWorkspace(db, runId);
  if (prepared) return prepared.base_sha;
  const reports = await listArtifacts(db, runId, { limit: 10_000, type: 'agent_runtime_report' });
  const first = reports.at(-1);
  if (!first) return undefined;
  try {
    const report = JSON.parse(await readFile(first.uri, 'utf8')) as { workspace?: { baseline_sha?: unknown } };
    const sha = report.workspace?.baseline_sha;
    return typeof sha === 'string' && sha !== '' ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** Loads the campaign folder; a broken `campaign.json` is a use-case error with the same one-line message. */
export async function campaignFor(ctx: Pick<AppContext, 'paths'>): Promise<Campaign> {
  try {
    return await loadCampaign(ctx.paths.campaignDir);
  } catch (error) {
    if (error instanceof WorkspaceError) {
      throw new AgentprError(error.message.startsWith('invalid JSON:') ? 'invalid_json' : 'config', error.message, { cause: error });
    }
    throw error;
  }
}

/** The exit code a failed workspace procedure reports: git's own code when git failed, else 1. */
export function procedureExitCode(error: unknown): number {
  const code = error instanceof WorkspaceError ? error.exitCode : undefined;
  return code !== undefined && code !== 0 ? code : 1;
}

/** A one-line message for a failed procedure. */
export function procedureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'the procedure failed';
}
