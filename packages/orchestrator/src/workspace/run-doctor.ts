import { checkIsolation, resolveCodexBinary } from '@agentpr/codex-runner';
import { loadPolicy } from '@agentpr/policy';
import { DEFAULT_DOCTOR_URLS, runtimeDoctor, type CodexResolution, type DoctorReport, type DoctorUrls, type FetchLike } from '@agentpr/workspace';
import { dataDirExposure, type AppContext } from '../context.js';
import { AgentprError } from '../errors.js';

/** What the doctor needs from the app context: no database. */
export type DoctorContext = Pick<AppContext, 'paths' | 'env'>;

/** Startup gate profiles (SPEC §3.3). */
export type GateProfileName = 'basic' | 'github' | 'agent' | 'manager' | 'telegram' | 'webhook';

/** What one gate profile checks. `gh` is covered by `ghAuth`, which accepts a token without the gh CLI. */
export interface GateProfile {
  git: boolean;
  network: boolean;
  ghAuth: boolean;
  codex: boolean;
  telegramToken: boolean;
  webhookSecret: boolean;
}

/**
 * The checks per profile (SPEC §3.3, W50): each profile checks only what its commands use. The Telegram
 * token and webhook secret are further skipped when the command got them as flags (see {@link doctorGate}).
 */
export const GATE_PROFILES: Readonly<Record<GateProfileName, GateProfile>> = {
  basic: { git: false, network: false, ghAuth: false, codex: false, telegramToken: false, webhookSecret: false },
  github: { git: true, network: true, ghAuth: true, codex: false, telegramToken: false, webhookSecret: false },
  agent: { git: true, network: true, ghAuth: true, codex: true, telegramToken: false, webhookSecret: false },
  manager: { git: true, network: true, ghAuth: true, codex: true, telegramToken: false, webhookSecret: false },
  telegram: { git: true, network: true, ghAuth: true, codex: false, telegramToken: true, webhookSecret: false },
  webhook: { git: false, network: false, ghAuth: false, codex: false, telegramToken: false, webhookSecret: true },
};

/** Flags of the `doctor` command (SPEC §2.3). */
export interface RunDoctorInput {
  skipNetworkCheck?: boolean;
  /** At least 1; default 5. */
  networkTimeoutSec?: number;
  /** `--no-require-gh-auth` sets this to false; default true. */
  requireGhAuth?: boolean;
  requireCodex?: boolean;
  requireTelegramToken?: boolean;
  requireWebhookSecret?: boolean;
  /** Addition: also require the gh CLI itself (`cmd.gh`). */
  requireGh?: boolean;
  /** Addition: skip `cmd.git` (the gate's basic and webhook profiles). Default: git is checked. */
  requireGit?: boolean;
  /** Tests point the network checks at local servers. */
  urls?: DoctorUrls;
  fetch?: FetchLike;
}

/** The GitHub URLs to probe: github.com and the API (`GITHUB_API_URL` when set, e.g. GitHub Enterprise). */
function doctorUrls(env: AppContext['env'], override: DoctorUrls | undefined): DoctorUrls {
  if (override) return override;
  const api = env.GITHUB_API_URL?.trim();
  if (!api) return DEFAULT_DOCTOR_URLS;
  return { ...DEFAULT_DOCTOR_URLS, github: ['https://github.com/', api.endsWith('/') ? api : `${api}/`] };
}

function codexResolver(env: AppContext['env']): CodexResolution {
  const found = resolveCodexBinary({ ...env });
  return found.ok ? { ok: true, path: found.path, source: found.source } : { ok: false, reason: found.reason };
}

/** The confinement agent steps will run under, as the doctor found it. */
export interface AgentConfinementReport {
  /** From the policy (`run_agent_step.isolation`), `bwrap` unless the operator chose `none`. */
  isolation: 'bwrap' | 'none';
  network: string;
  /** Whether that isolation can actually be set up on this machine. */
  usable: boolean;
  detail: string;
}

/** A doctor report that also says which checks were skipped and why (`doctor` prints them). */
export type DoctorReportWithSkips = DoctorReport & { skipped: string[]; agent_confinement?: AgentConfinementReport };

/** Whether this machine is ready for what was asked, with the report that says why. */
export type DoctorResult = { kind: 'ready' | 'not_ready'; report: DoctorReportWithSkips };

/**
 * The confinement in effect for agent steps: the policy's isolation and network mode, and whether bubblewrap can
 * create its sandbox here. With `required` (gates of commands that run agents), an unusable sandbox is a failure.
 */
export async function agentConfinement(ctx: DoctorContext): Promise<AgentConfinementReport> {
  const loaded = await loadPolicy(ctx.paths.policyFile);
  const step = loaded.ok ? loaded.policy.run_agent_step : undefined;
  const isolation = step?.isolation ?? 'bwrap';
  const network = step?.network ?? 'allowlist';
  if (isolation === 'none') {
    return { isolation, network, usable: true, detail: 'isolation none (chosen in the policy): agents run UNCONFINED with your rights; they can read your keys, tokens and the agentpr database' };
  }
  const check = await checkIsolation('bwrap', ctx.env);
  if (!check.ok) return { isolation, network, usable: false, detail: `${check.reason} Fix: ${check.hint.replace(/\.$/, '')}` };
  const net = network === 'allowlist' ? 'network through the allowlisting egress proxy' : network === 'off' ? 'no network' : 'unrestricted network';
  return { isolation, network, usable: true, detail: `bubblewrap ${check.version ?? ''}`.trim() + `: own PID namespace, system dirs read-only, private home and /tmp, workspace writable with .git read-only, ${net}` };
}

/** The checks `input` turns off, as `"<check>: <why>"` lines. */
function skippedChecks(ctx: DoctorContext, input: RunDoctorInput): string[] {
  const skipped: string[] = [];
  if (input.skipNetworkCheck) {
    const urls = doctorUrls(ctx.env, input.urls);
    const targets = input.requireCodex ? [...urls.github, ...urls.registries] : urls.github;
    for (const url of targets) skipped.push(`net.${url}: --skip-network-check`);
  }
  if (input.requireGit === false) skipped.push('cmd.git: not needed by this profile');
  if (input.requireGhAuth === false) skipped.push('gh.auth: --no-require-gh-auth');
  return skipped;
}

/**
 * The runtime doctor for this app (SPEC §3.1): the workspace root, git, GitHub access, and whatever the flags
 * ask for. Codex is resolved the way run-agent-step resolves it. Never throws; the report says what failed,
 * and `skipped` names every check a flag turned off (issue 13: an offline operator sees what was not probed).
 *
 * @example
 * const { kind, report } = await runDoctor(ctx, { requireCodex: true }); // kind 'ready' | 'not_ready'
 */
export async function runDoctor(ctx: DoctorContext, input: RunDoctorInput = {}): Promise<DoctorResult> {
  const report = await doctorReport(ctx, input);
  return { kind: report.ok ? 'ready' : 'not_ready', report };
}

async function doctorReport(ctx: DoctorContext, input: RunDoctorInput): Promise<DoctorReportWithSkips> {
  const timeout = input.networkTimeoutSec ?? 5;
  if (!Number.isFinite(timeout) || timeout < 1) throw new AgentprError('usage', `--network-timeout-sec must be at least 1, got ${timeout}`);
  const report = await runtimeDoctor({
    workspaceRoot: ctx.paths.workspaceRoot,
    env: ctx.env,
    checkNetwork: !input.skipNetworkCheck,
    networkTimeoutSec: timeout,
    requireGit: input.requireGit ?? true,
    requireGh: input.requireGh ?? false,
    requireGhAuth: input.requireGhAuth ?? true,
    requireCodex: input.requireCodex ?? false,
    requireTelegramToken: input.requireTelegramToken ?? false,
    requireWebhookSecret: input.requireWebhookSecret ?? false,
    resolveCodex: codexResolver,
    urls: doctorUrls(ctx.env, input.urls),
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  // Issue 13: a data dir made under umask 022 by an older agentpr is readable by other users; say how to close it.
  const exposure = dataDirExposure(ctx.paths.dataDir);
  const warnings = exposure ? [...report.warnings, exposure] : [...report.warnings];
  // The confinement agent steps will actually get: shown always, a failure only where agents run.
  const confinement = await agentConfinement(ctx);
  if (confinement.isolation === 'none') warnings.push(`agent steps run without isolation: ${confinement.detail}`);
  else if (!confinement.usable) warnings.push(`agent steps will be refused: ${confinement.detail}`);
  const skipped = skippedChecks(ctx, input);
  if (!(input.requireCodex ?? false)) return { ...report, warnings, skipped, agent_confinement: confinement };
  // Where agents run (--require-codex, the agent and manager gates), an unusable sandbox fails the check.
  const check = { name: 'agent.isolation', ok: confinement.usable, detail: confinement.detail };
  const failures = check.ok ? report.failures : [...report.failures, `${check.name}: ${check.detail}`];
  return { ...report, ok: report.ok && check.ok, failures, checks: [...report.checks, check], warnings, skipped, agent_confinement: confinement };
}

/** What a gated command tells the gate (the CLI passes the command's own flags). */
export interface DoctorGateOptions {
  /** The command's `--network-timeout-sec`, else 5. */
  networkTimeoutSec?: number | undefined;
  /**
   * The command's `--skip-network-check`: every profile honours it (issue 13; the reference honoured it for the
   * agent profile only, so `manager-tick`, `run-manager-loop` and `drive` could not pass the gate offline).
   */
  skipNetwork?: boolean | undefined;
  /** `--telegram-token` was given, so the env token is not needed. */
  telegramTokenGiven?: boolean | undefined;
  /** `--secret` or `--allow-unsigned` was given, so the env secret is not needed. */
  webhookSecretGiven?: boolean | undefined;
  urls?: DoctorUrls;
  fetch?: FetchLike;
}

/**
 * The startup doctor gate (SPEC §3.3): runs the doctor with the profile's checks and throws `gate_failed`
 * naming the profile and the first three failures, with a pointer to `agentpr doctor`. Returns the report
 * when it passes.
 *
 * @example
 * await doctorGate(ctx, 'github', {}); // throws AgentprError('gate_failed', …) on a machine without git
 */
export async function doctorGate(ctx: DoctorContext, profile: GateProfileName, options: DoctorGateOptions = {}): Promise<DoctorReportWithSkips> {
  const p = GATE_PROFILES[profile];
  if (!p) throw new AgentprError('usage', `unknown doctor gate profile ${String(profile)}; use one of ${Object.keys(GATE_PROFILES).join(', ')}`);
  const given = options.networkTimeoutSec;
  const timeout = given !== undefined && Number.isFinite(given) && given >= 1 ? given : 5;
  const network = p.network && options.skipNetwork !== true;
  const report = await doctorReport(ctx, {
    requireGit: p.git,
    skipNetworkCheck: !network,
    networkTimeoutSec: timeout,
    requireGhAuth: p.ghAuth,
    requireCodex: p.codex,
    requireTelegramToken: p.telegramToken && options.telegramTokenGiven !== true,
    requireWebhookSecret: p.webhookSecret && options.webhookSecretGiven !== true,
    ...(options.urls ? { urls: options.urls } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // A check the profile does not need is skipped for that reason; only a network check the profile needs was skipped by the flag.
  report.skipped = report.skipped.map((s) => {
    const name = s.slice(0, s.indexOf(': '));
    return name.startsWith('net.') && p.network ? s : `${name}: not needed by profile ${profile}`;
  });
  if (!report.ok) {
    const shown = report.failures.slice(0, 3).join('; ');
    const more = report.failures.length > 3 ? ` (and ${report.failures.length - 3} more)` : '';
    throw new AgentprError('gate_failed', `startup doctor gate (profile ${profile}) failed: ${shown}${more}. Run \`agentpr doctor\` for details.`, {
      details: { profile, failures: report.failures },
    });
  }
  return report;
}
