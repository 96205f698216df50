import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { effectiveBaselinePolicy, effectivePolicy, loadPolicy, type EffectiveBaselinePolicy, type EffectivePolicy } from '@agentpr/policy';
import { parseFailingTests, type BaselineOutcome, type BaselineTestLocation, type BaselineTests, type FailingTestName } from '@agentpr/runtime-analysis';
import { addArtifact, latestArtifact } from '@agentpr/store';
import { detectTestCommand } from '@agentpr/workspace';
import type { AppContext } from '../context.js';
import { policyError } from '../policy-error.js';
import { redactorFor } from '../secrets/redactor-for.js';
import { runConfinedCommand } from './baseline-sandbox.js';

/** The artefact type of a baseline: which tests fail on the untouched base commit. */
export const BASELINE_ARTIFACT = 'baseline_tests';

/** Why no baseline was taken. */
export type BaselineSkipReason = 'disabled' | 'no_test_command' | 'sandbox_unavailable' | 'not_started';

/** What run-prepare's baseline did: the test command's outcome on the base commit, or why it did not run. */
export type BaselineResult =
  | {
    kind: 'recorded';
    outcome: BaselineOutcome;
    command: string[];
    /** Where the command came from: the policy, or the repository file it was detected in. */
    source: string;
    failingTests: FailingTestName[];
    durationMs: number;
    artifactPath: string;
  }
  | { kind: 'skipped'; reason: BaselineSkipReason; message: string };

/** The policy a baseline runs under: the repository's baseline settings and the agent's own confinement settings. */
export interface BaselineSettings {
  baseline: EffectiveBaselinePolicy;
  agent: EffectivePolicy;
  /** The agent's `env_passthrough` and `sandbox_read_paths`: the tests get the same, nothing more. */
  passthrough: string[];
  readOnlyPaths: string[];
}

/** Top-level entries of the workspace the baseline's copy leaves out: agentpr's git and its runtime dir. */
const NOT_COPIED: ReadonlySet<string> = new Set(['.git', '.agentpr_runtime']);

/** The freshly prepared clone a baseline is taken of. */
interface BaselineRun {
  runId: string;
  workspaceDir: string;
  baseSha: string;
}

/** How much of the test output the artefact keeps (its end, redacted). */
const EXCERPT_CHARS = 2000;

/** Reads the baseline settings for a repository; a broken policy file throws its one-line error. */
export async function baselineSettings(ctx: AppContext, owner: string, repo: string): Promise<BaselineSettings> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  if (!loaded.ok) throw policyError(loaded.error);
  const p = loaded.policy;
  return {
    baseline: effectiveBaselinePolicy(p.baseline_tests, owner, repo),
    agent: effectivePolicy(p, owner, repo),
    passthrough: [...(p.run_agent_step.env_passthrough ?? [])],
    readOnlyPaths: [...(p.run_agent_step.sandbox_read_paths ?? [])],
  };
}

/** The base commit's files without `.git` and agentpr's runtime dir, in a fresh private directory under the data dir. */
function throwawayCopy(ctx: AppContext, runId: string, workspaceDir: string): string {
  const parent = join(ctx.paths.dataDir, 'baselines');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(parent, `${runId}-`));
  // Symlinks are copied as links, never followed: the copy holds exactly what the clone holds.
  cpSync(workspaceDir, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => !NOT_COPIED.has(relative(workspaceDir, src)) });
  return dir;
}

async function record(ctx: AppContext, runId: string, baseSha: string, body: Record<string, unknown>, metadata: Record<string, unknown>): Promise<string> {
  const path = ctx.artifacts.writeNew(ctx.paths.reportsDir, `${runId}_baseline_tests_`, '.json', `${JSON.stringify({ run_id: runId, base_sha: baseSha, ...body }, null, 2)}\n`);
  await addArtifact(ctx.db, { runId, type: BASELINE_ARTIFACT, uri: path, metadata: { base_sha: baseSha, ...metadata } }, ctx.clock);
  return path;
}

/** A skipped baseline is recorded as an artefact with its reason (no report file: nothing ran); its uri is the workspace. */
async function skip(ctx: AppContext, run: BaselineRun, reason: BaselineSkipReason, message: string): Promise<BaselineResult> {
  const clean = redactorFor(ctx).redact(message);
  ctx.log.info(`baseline skipped: ${clean}`, { run_id: run.runId, reason });
  const metadata = { base_sha: run.baseSha, outcome: 'skipped', reason, message: clean };
  await addArtifact(ctx.db, { runId: run.runId, type: BASELINE_ARTIFACT, uri: run.workspaceDir, metadata }, ctx.clock);
  return { kind: 'skipped', reason, message: clean };
}

/**
 * The baseline (issue 15 item 5): runs the repository's test command on the untouched base commit of a freshly
 * prepared workspace and records which tests fail there, so the verdict can tell failures that were there before
 * the agent from failures it caused. A stranger's test suite is hostile code: it runs in a throwaway copy (no `.git`),
 * exactly as confined as the agent (see {@link runConfinedCommand}), with the policy's time and output limits. When
 * the agent's sandbox is unavailable and the policy would refuse the agent, it is skipped, never run unconfined.
 * Always records a `baseline_tests` artefact: a report file (outcome, command, failing tests and the files they live
 * in relative to the repository root, redacted excerpt, duration), or the reason it was skipped.
 *
 * @example
 * const baseline = await takeBaseline(ctx, { runId, owner, repo, workspaceDir, baseSha }, await baselineSettings(ctx, owner, repo));
 */
export async function takeBaseline(
  ctx: AppContext,
  run: BaselineRun,
  settings: BaselineSettings,
  lockFile: string,
): Promise<BaselineResult> {
  const { runId, workspaceDir, baseSha } = run;
  if (!settings.baseline.enabled) return skip(ctx, run, 'disabled', 'baseline_tests.enabled is false in the policy');
  const detected = settings.baseline.command ? { argv: settings.baseline.command, source: 'policy baseline_tests.command' } : await detectTestCommand(workspaceDir);
  if (!detected) return skip(ctx, run, 'no_test_command', 'no test command found (package.json scripts.test, pytest config, go.mod, Cargo.toml); set baseline_tests.command in the policy');
  const isolation = settings.agent.isolation;
  let bwrapPath: string | null = null;
  if (isolation === 'bwrap') {
    const checked = await ctx.agent.checkIsolation('bwrap', ctx.env);
    if (!checked.ok) return skip(ctx, run, 'sandbox_unavailable', `the agent's sandbox is not available here (${checked.reason}); a baseline never runs unconfined`);
    bwrapPath = checked.bwrapPath;
  } else {
    ctx.log.warn('baseline: isolation none: the repository\'s tests run unconfined, as the agent will (policy run_agent_step.isolation)', { run_id: runId });
  }
  const copy = throwawayCopy(ctx, runId, workspaceDir);
  // The tests print paths in the copy; made relative to it, they compare with the agent's paths in its workspace.
  const roots = [copy, realpathSync(copy)];
  let ran: Awaited<ReturnType<typeof runConfinedCommand>>;
  try {
    ran = await runConfinedCommand(ctx, {
      workDir: copy,
      argv: detected.argv,
      isolation,
      bwrapPath,
      passthrough: settings.passthrough,
      readOnlyPaths: settings.readOnlyPaths,
      maxSeconds: settings.baseline.max_seconds,
      maxOutputBytes: settings.baseline.max_output_bytes,
      lockFile,
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
  if (ran.kind === 'not_started') return skip(ctx, run, 'not_started', `${detected.argv.join(' ')} could not start: ${ran.reason}`);
  const p = ran.process;
  if (p.workspaceBusy || p.spawnFailed) return skip(ctx, run, 'not_started', `${detected.argv.join(' ')} could not start: ${p.stderr.trim().split('\n').at(-1) ?? 'unknown'}`);
  const { redact } = redactorFor(ctx);
  const output = redact(`${p.stdoutTail}\n${p.stderr}`.trim());
  const failingTests = parseFailingTests(output, { roots });
  const outcome: BaselineOutcome = p.timedOut ? 'timed_out' : p.agentExit === 0 ? 'passed' : 'failed';
  const excerpt = output.length <= EXCERPT_CHARS ? output : `…${output.slice(output.length - EXCERPT_CHARS)}`;
  const names = failingTests.map((t) => t.name);
  const locations: BaselineTestLocation[] = failingTests.flatMap((t) => (t.file && !t.file.startsWith('/') ? [{ name: t.name, file: t.file }] : []));
  const facts = {
    outcome, command: detected.argv, source: detected.source, failing_tests: names, failing_test_locations: locations, duration_ms: p.durationMs, isolation,
  };
  const artifactPath = await record(ctx, runId, baseSha, { ...facts, process_exit: p.agentExit, failing_test_details: failingTests, excerpt }, facts);
  ctx.log.info(`baseline: ${detected.argv.join(' ')} ${outcome} on the base commit, ${failingTests.length} failing test(s) named`, { run_id: runId });
  return { kind: 'recorded', outcome, command: detected.argv, source: detected.source, failingTests, durationMs: p.durationMs, artifactPath };
}

/**
 * {@link takeBaseline} for run-prepare: the prepare has succeeded whatever happens here, so a clone that is not clean
 * on its base commit (`notAtBase`: the reason) or an unexpected error is recorded as a skipped baseline, not thrown.
 */
export async function takeBaselineSafely(
  ctx: AppContext,
  run: BaselineRun & { notAtBase: string | null },
  settings: BaselineSettings,
  lockFile: string,
): Promise<BaselineResult> {
  if (run.notAtBase !== null) return skip(ctx, run, 'not_started', run.notAtBase);
  try {
    return await takeBaseline(ctx, run, settings, lockFile);
  } catch (error) {
    return skip(ctx, run, 'not_started', `the baseline failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The run's latest baseline as the classifier reads it, or null when none was recorded or it was skipped. */
export async function latestBaseline(ctx: Pick<AppContext, 'db'>, runId: string): Promise<BaselineTests | null> {
  const artifact = await latestArtifact(ctx.db, runId, BASELINE_ARTIFACT);
  const m = artifact?.metadata ?? {};
  const outcome = m.outcome;
  if (outcome !== 'passed' && outcome !== 'failed' && outcome !== 'error' && outcome !== 'timed_out') return null;
  const names = Array.isArray(m.failing_tests) ? m.failing_tests.filter((n): n is string => typeof n === 'string') : [];
  const locations = Array.isArray(m.failing_test_locations) ? m.failing_test_locations.filter(isLocation) : [];
  return { outcome, failing_tests: names, failing_test_locations: locations };
}

function isLocation(value: unknown): value is BaselineTestLocation {
  const v = value as Partial<BaselineTestLocation> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.file === 'string';
}
