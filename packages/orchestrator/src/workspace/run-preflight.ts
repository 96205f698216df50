import { addArtifact, leaseHolder, recordAttempt, withLease } from '@agentpr/store';
import { repoPreflight, type DoctorReport, type FetchLike, type PreflightUrls, type WriteProbe } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { assertWorkspaceInsideRoot } from './workspace-containment.js';
import { ensureLocalWorkspace } from './ensure-local-workspace.js';
import { requireLocalRun } from './local-run.js';

/** The codex sandboxes run-preflight accepts. */
export const PREFLIGHT_SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;

/** Input of {@link runPreflight}. */
export interface RunPreflightInput {
  runId: string;
  skipNetworkCheck?: boolean;
  /** At least 1; default 5. */
  networkTimeoutSec?: number;
  /** Default `danger-full-access`. */
  codexSandbox?: string;
  /** Default `python3.11`, or env `AGENTPR_PYTHON`. */
  pythonCommand?: string;
  /** Tests: how `.git` writability is probed, and local registry URLs. */
  probe?: WriteProbe;
  urls?: PreflightUrls;
  fetch?: FetchLike;
  /**
   * The caller holds the run lease and has made the workspace local (the agent step): no lease is taken here.
   * Otherwise run-preflight takes the run lease and rebuilds a workspace another host held last before checking it.
   */
  leaseHeld?: boolean;
}

/** Whether the workspace is ready for an agent, with the report and where it was written. */
export type RunPreflightResult = { kind: 'ready' | 'not_ready'; report: DoctorReport; reportPath: string };

/**
 * run-preflight: checks the run's workspace on this host (rebuilt first, under the run lease, when another host held it
 * last; see ensureLocalWorkspace) with the workspace root as the scope, writes
 * `<reports>/<run_id>_preflight_<stamp>.json` (never overwriting an earlier one), records a `preflight`
 * attempt (exit 0 if ok, else 1; stdout = the report, stderr = the failures) and a `preflight_report`
 * artefact. The run's state does not change.
 *
 * @example
 * const { kind, report } = await runPreflight(ctx, { runId: 'run_1', skipNetworkCheck: true }); // kind 'ready' | 'not_ready'
 */
export async function runPreflight(ctx: AppContext, input: RunPreflightInput): Promise<RunPreflightResult> {
  const sandbox = input.codexSandbox ?? 'danger-full-access';
  if (!(PREFLIGHT_SANDBOXES as readonly string[]).includes(sandbox)) {
    throw new AgentprError('usage', `--codex-sandbox must be one of ${PREFLIGHT_SANDBOXES.join(', ')}, got ${JSON.stringify(sandbox)}`);
  }
  const timeout = input.networkTimeoutSec ?? 5;
  if (!Number.isFinite(timeout) || timeout < 1) throw new AgentprError('usage', `--network-timeout-sec must be at least 1, got ${timeout}`);
  const { run } = await requireLocalRun(ctx, input.runId);
  await assertWorkspaceInsideRoot(ctx, run);
  if (input.leaseHeld) return checkLocalWorkspace(ctx, input, sandbox, timeout);
  return withLease(ctx.db, run.run_id, ctx.leaseHolder ?? leaseHolder('run-preflight', ctx.env), 10 * 60_000, async () => {
    await ensureLocalWorkspace(ctx, run.run_id);
    return checkLocalWorkspace(ctx, input, sandbox, timeout);
  }, ctx.clock);
}

async function checkLocalWorkspace(ctx: AppContext, input: RunPreflightInput, sandbox: string, timeout: number): Promise<RunPreflightResult> {
  const { run, state } = await requireLocalRun(ctx, input.runId);
  const report = await repoPreflight({
    repoDir: run.workspace_dir,
    workspaceRoot: ctx.paths.workspaceRoot,
    env: ctx.env,
    checkNetwork: !input.skipNetworkCheck,
    networkTimeoutSec: timeout,
    codexSandbox: sandbox,
    pythonCommand: input.pythonCommand ?? (ctx.env.AGENTPR_PYTHON?.trim() || 'python3.11'),
    ...(input.probe ? { probe: input.probe } : {}),
    ...(input.urls ? { urls: input.urls } : {}),
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  const json = JSON.stringify(report, null, 2);
  const reportPath = ctx.artifacts.writeNew(ctx.paths.reportsDir, `${run.run_id}_preflight_`, '.json', `${json}\n`);
  await recordAttempt(
    ctx.db,
    { runId: run.run_id, step: 'preflight', succeeded: report.ok, stdout: json, stderr: report.failures.join('\n'), durationMs: report.duration_ms, stage: state.current_state },
    ctx.clock,
  );
  await addArtifact(ctx.db, { runId: run.run_id, type: 'preflight_report', uri: reportPath, metadata: { ok: report.ok } }, ctx.clock);
  return { kind: report.ok ? 'ready' : 'not_ready', report, reportPath };
}
