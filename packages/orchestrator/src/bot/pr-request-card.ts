import { existsSync } from 'node:fs';
import type { DodPolicy } from '@agentpr/runtime-analysis';
import { getPrRequest, getRun } from '@agentpr/store';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { localRunOf } from '../workspace/local-run.js';
import { dodGateForRun, type DodGateVerdict } from '../pr-gate/dod-gate.js';
import { gitLine } from '../pr-gate/git-reads.js';
import type { FileStat } from '../pr-gate/pr-text-sections.js';
import { parseNumstat } from '../pr-gate/pr-text-sources.js';
import { prRequestStatus, type PrRequestStatus } from '../pr-gate/request-status.js';
import { budgetBaseline } from '../workspace/workspace-shared.js';

/** What an approval card shows of one PR request: the stored request, its pushed diff, its DoD gate and its status. */
export interface PrRequestCard {
  request_id: number;
  run_id: string;
  owner: string;
  repo: string;
  /** The stored title and body: approval opens exactly these. */
  title: string;
  body: string;
  base: string;
  head: string;
  head_sha: string;
  draft: boolean;
  expires_at: string;
  status: PrRequestStatus;
  /** The pushed files with their line counts (base commit to the head), or null when git cannot tell. */
  files: FileStat[] | null;
  /** The DoD gate with the request's title and body, or null when it could not be evaluated (then `dod_error`). */
  dod: DodGateVerdict | null;
  dod_error: string | null;
}

/** The pushed diff of the request's head against the run's base commit, file by file; null when git cannot tell. */
async function requestFiles(ctx: AppContext, runId: string, workspace: string, headSha: string): Promise<FileStat[] | null> {
  if (!existsSync(workspace)) return null;
  const base = await budgetBaseline(ctx.db, runId);
  if (!base) return null;
  const out = await gitLine(ctx.git, workspace, ['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', base, headSha, '--']);
  return out === null ? null : parseNumstat(out);
}

/**
 * Gathers what the Telegram approval card shows for one PR request (read only): the stored title, body, base and
 * head, the files with +/- line counts, the DoD gate as the approval would evaluate it, and whether the request is
 * still open. Throws `not_found` for an unknown request or run.
 *
 * @example
 * const card = await prRequestCard(ctx, 7);
 * if (card.status === 'open') console.log(card.title, card.files?.length);
 */
export async function prRequestCard(ctx: AppContext, requestId: number, options: { policy?: DodPolicy | undefined } = {}): Promise<PrRequestCard> {
  const request = await getPrRequest(ctx.db, requestId);
  if (!request) throw new AgentprError('not_found', `PR request ${requestId} not found.`);
  const found = await getRun(ctx.db, request.run_id);
  if (!found) throw new AgentprError('not_found', `run ${request.run_id} not found. Use list-runs to see existing runs.`);
  // Read only: the workspace on this host, when it is here (the files are left out when it is not).
  const { run } = localRunOf(ctx, found);
  const status = await prRequestStatus(ctx, request);
  const files = await requestFiles(ctx, run.run_id, run.workspace_dir, request.head_sha).catch(() => null);
  let dod: DodGateVerdict | null = null;
  let dodError: string | null = null;
  try {
    dod = await dodGateForRun(ctx, run.run_id, { policy: options.policy, prText: { title: request.title, body: request.body } });
  } catch (error) {
    dodError = error instanceof Error ? error.message : String(error);
  }
  return {
    request_id: request.id,
    run_id: run.run_id,
    owner: run.owner,
    repo: run.repo,
    title: request.title,
    body: request.body,
    base: request.base,
    head: request.head,
    head_sha: request.head_sha,
    draft: request.draft === 1,
    expires_at: request.expires_at,
    status,
    files,
    dod,
    dod_error: dodError,
  };
}
