import { checkIsolation, resolveCodexBinary } from '@agentpr/codex-runner';
import { isLocalRemote, loadPolicy, OFFLINE_HINT, resolveOfflineMode, type OfflineMode } from '@agentpr/policy';
import { DEFAULT_DOCTOR_URLS, runtimeDoctor, type CodexResolution, type DoctorReport, type DoctorUrls, type FetchLike } from '@agentpr/workspace';
import { dataDirExposure, type AppContext } from '../context.js';
import { AgentprError } from '../errors.js';
import { engineDoctor, withEngineChecks, type EngineDoctorRow } from './engine-doctor.js';
import { readOnlyDoctorReport, type DoctorStoreLocation } from './read-only-doctor.js';

/** What the doctor needs from the app context: no database. */
export type DoctorContext = Pick<AppContext, 'paths' | 'env'>;

/** Startup gate profiles: which commands need which checks. */
export type GateProfileName = 'basic' | 'github' | 'agent' | 'manager' | 'telegram' | 'webhook' | 'read_only';

/** What one gate profile checks. `gh` is covered by `ghAuth`, which accepts a token without the gh CLI. */
export interface GateProfile {
  git: boolean;
  network: boolean;
  ghAuth: boolean;
  codex: boolean;
  telegramToken: boolean;
  webhookSecret: boolean;
  /** Probe the Telegram Bot API the bot will use (`AGENTPR_TELEGRAM_API_URL`, else api.telegram.org). */
  telegramApi: boolean;
  /**
   * A read-only service (the dashboard): only the store is checked, opened read-only (see `readOnlyDoctorReport`);
   * no writable workspace or data directory, no git, no GitHub, no network.
   */
  storeReadOnly?: true;
}

/**
 * The checks per profile: each profile checks only what its commands use, so a command that only writes to the
 * store passes on a machine without git or network. The Telegram token and webhook secret are further skipped when
 * the command got them as flags (see {@link doctorGate}).
 */
export const GATE_PROFILES: Readonly<Record<GateProfileName, GateProfile>> = {
  basic: { git: false, network: false, ghAuth: false, codex: false, telegramToken: false, webhookSecret: false, telegramApi: false },
  github: { git: true, network: true, ghAuth: true, codex: false, telegramToken: false, webhookSecret: false, telegramApi: false },
  agent: { git: true, network: true, ghAuth: true, codex: true, telegramToken: false, webhookSecret: false, telegramApi: false },
  manager: { git: true, network: true, ghAuth: true, codex: true, telegramToken: false, webhookSecret: false, telegramApi: false },
  telegram: { git: true, network: true, ghAuth: true, codex: false, telegramToken: true, webhookSecret: false, telegramApi: true },
  webhook: { git: false, network: false, ghAuth: false, codex: false, telegramToken: false, webhookSecret: true, telegramApi: false },
  read_only: { git: false, network: false, ghAuth: false, codex: false, telegramToken: false, webhookSecret: false, telegramApi: false, storeReadOnly: true },
};

/** The Bot API origin the bot uses when `AGENTPR_TELEGRAM_API_URL` is not set. */
const DEFAULT_TELEGRAM_API_URL = 'https://api.telegram.org/';

/** Flags of the `doctor` command. */
export interface RunDoctorInput {
  skipNetworkCheck?: boolean;
  /** At least 1; default 5. */
  networkTimeoutSec?: number;
  /** `--no-require-gh-auth` sets this to false; default true. */
  requireGhAuth?: boolean;
  /** Where agents run: the engines the policy uses must be found and usable (`engine.<name>`), codex's `cmd.codex` too. */
  requireCodex?: boolean;
  /**
   * List every engine (found, version and capabilities probed, where the policy uses it); `agentpr doctor` sets it.
   * Without it the engines are only resolved, and only where agents run.
   */
  showEngines?: boolean;
  requireTelegramToken?: boolean;
  requireWebhookSecret?: boolean;
  /** Addition: also require the gh CLI itself (`cmd.gh`). */
  requireGh?: boolean;
  /** Addition: skip `cmd.git` (the gate's basic and webhook profiles). Default: git is checked. */
  requireGit?: boolean;
  /** `--offline`: local and offline mode whatever the environment says (see `resolveOfflineMode`). */
  offline?: boolean | undefined;
  /** The upstream and fork the command will use (`--upstream-url`, `--fork-url`): local ones are checked, and decide the automatic offline mode. */
  upstreamUrl?: string | undefined;
  forkUrl?: string | undefined;
  /** A `--github-api-url` flag; else `GITHUB_API_URL`. */
  githubApiUrl?: string | undefined;
  /** Probe the Telegram Bot API: `telegramApiUrl`, else `AGENTPR_TELEGRAM_API_URL`, else api.telegram.org. */
  checkTelegramApi?: boolean | undefined;
  telegramApiUrl?: string | undefined;
  /** Tests point the network checks at local servers: these lists replace every probed URL (online mode only). */
  urls?: DoctorUrls;
  fetch?: FetchLike;
}

const withSlash = (url: string): string => (url.endsWith('/') ? url : `${url}/`);

/** The GitHub API URL the command will use: the flag, else `GITHUB_API_URL`, else undefined (api.github.com). */
function githubApiUrlOf(env: AppContext['env'], input: RunDoctorInput): string | undefined {
  const url = (input.githubApiUrl ?? env.GITHUB_API_URL ?? '').trim();
  return url === '' ? undefined : url;
}

/**
 * The URLs to probe. Offline: only what is configured (the GitHub API URL, the Telegram API URL for the bot), never
 * github.com or the package registries. Online: github.com and the GitHub API (the registries too when codex is
 * required); the bot probes the Telegram API and the GitHub API it approves with, not the github.com web site.
 */
function networkTargets(env: AppContext['env'], input: RunDoctorInput, mode: OfflineMode): DoctorUrls {
  const api = githubApiUrlOf(env, input);
  const telegram = input.checkTelegramApi ? [withSlash((input.telegramApiUrl ?? env.AGENTPR_TELEGRAM_API_URL ?? '').trim() || DEFAULT_TELEGRAM_API_URL)] : [];
  if (mode.offline) return { github: [...telegram, ...(api ? [withSlash(api)] : [])], registries: [] };
  if (input.urls) return input.urls;
  const githubApi = withSlash(api ?? 'https://api.github.com/');
  if (input.checkTelegramApi) return { github: [...telegram, githubApi], registries: [] };
  return { ...DEFAULT_DOCTOR_URLS, github: ['https://github.com/', githubApi] };
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

/**
 * A doctor report that also says which checks were skipped and why (`doctor` prints them), whether it ran offline,
 * and (where agents run, or asked) every engine with where the policy uses it.
 */
export type DoctorReportWithSkips = DoctorReport & {
  skipped: string[];
  agent_confinement?: AgentConfinementReport;
  offline_mode: OfflineMode;
  engines?: EngineDoctorRow[];
};

/** Whether this machine is ready for what was asked, with the report that says why. */
export type DoctorResult = { kind: 'ready' | 'not_ready'; report: DoctorReportWithSkips };

/**
 * The confinement in effect for agent steps: the policy's isolation and network mode, and whether bubblewrap can
 * create its sandbox here. With `required` (gates of commands that run agents), an unusable sandbox is a failure.
 */
export async function agentConfinement(ctx: DoctorContext, policy?: Awaited<ReturnType<typeof loadPolicy>>): Promise<AgentConfinementReport> {
  const loaded = policy ?? (await loadPolicy(ctx.paths.policyFile));
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

/** The checks `input` or the offline mode turn off, as `"<check>: <why>"` lines. */
function skippedChecks(ctx: DoctorContext, input: RunDoctorInput, mode: OfflineMode): string[] {
  const skipped: string[] = [];
  if (mode.offline) {
    skipped.push(`net.https://github.com/: offline mode (${mode.reason})`);
    if (!githubApiUrlOf(ctx.env, input)) skipped.push('net.<GitHub API>: offline mode and no GITHUB_API_URL is set, so GitHub is not used');
    if (input.requireCodex) skipped.push(`net.<package registries>: offline mode (${mode.reason})`);
    if (input.requireGhAuth !== false) skipped.push(`gh.auth: offline mode (${mode.reason})`);
  }
  if (input.skipNetworkCheck) {
    const urls = networkTargets(ctx.env, input, mode);
    const targets = input.requireCodex ? [...urls.github, ...urls.registries] : urls.github;
    for (const url of targets) skipped.push(`net.${url}: --skip-network-check`);
  }
  if (input.requireGit === false) skipped.push('cmd.git: not needed by this profile');
  if (input.requireGhAuth === false) skipped.push('gh.auth: --no-require-gh-auth');
  return skipped;
}

/** What to do when a network check failed: name the offline switch and `--skip-doctor`, or, offline, the stand-ins. */
function networkHint(mode: OfflineMode): string {
  if (!mode.offline) return OFFLINE_HINT;
  return `Offline mode is on (${mode.reason}), so only the configured URLs are probed: start the local stand-ins (\`agentpr dev-stack\`) ` +
    'or fix GITHUB_API_URL / AGENTPR_TELEGRAM_API_URL; --skip-doctor skips the startup gate altogether.';
}

/**
 * The runtime doctor for this app: the workspace root, git, GitHub access, and whatever the flags ask for. Codex is
 * resolved the way run-agent-step resolves it. In offline mode it checks what is used instead of github.com: the
 * configured GitHub (and Telegram) API URL and the local remotes. Never throws; the report says what failed,
 * `skipped` names every check a flag or the offline mode turned off, and a failed network check adds a warning that
 * names the offline switch and `--skip-doctor`.
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
  const policy = await loadPolicy(ctx.paths.policyFile);
  const remotes = [input.upstreamUrl, input.forkUrl].filter((r): r is string => typeof r === 'string' && r.trim() !== '');
  const mode = resolveOfflineMode({
    env: ctx.env, flag: input.offline, policy: policy.ok ? policy.policy.offline : undefined, githubApiUrl: input.githubApiUrl, remotes,
  });
  const urls = networkTargets(ctx.env, input, mode);
  const report = await runtimeDoctor({
    workspaceRoot: ctx.paths.workspaceRoot,
    env: ctx.env,
    checkNetwork: !input.skipNetworkCheck && urls.github.length + urls.registries.length > 0,
    networkTimeoutSec: timeout,
    requireGit: input.requireGit ?? true,
    requireGh: input.requireGh ?? false,
    requireGhAuth: !mode.offline && (input.requireGhAuth ?? true),
    anyAnswerReachable: mode.offline,
    requireCodex: input.requireCodex ?? false,
    requireTelegramToken: input.requireTelegramToken ?? false,
    requireWebhookSecret: input.requireWebhookSecret ?? false,
    resolveCodex: codexResolver,
    urls,
    // Offline, a network remote is itself a failure; online, only the local ones are checked. A manager template
    // (`/srv/{owner}/{repo}.git`) names many remotes, so it decides the mode but is not checked itself.
    localRemotes: remotes.filter((r) => !/\{(?:owner|repo|fork_owner)\}/.test(r) && (mode.offline || isLocalRemote(r))),
    ...(input.fetch ? { fetch: input.fetch } : {}),
  });
  // Issue 13: a data dir made under umask 022 by an older agentpr is readable by other users; say how to close it.
  const exposure = dataDirExposure(ctx.paths.dataDir);
  const warnings = exposure ? [...report.warnings, exposure] : [...report.warnings];
  if (report.failures.some((f) => f.startsWith('net.'))) warnings.push(networkHint(mode));
  // The confinement agent steps will actually get: shown always, a failure only where agents run.
  const confinement = await agentConfinement(ctx, policy);
  if (confinement.isolation === 'none') warnings.push(`agent steps run without isolation: ${confinement.detail}`);
  else if (!confinement.usable) warnings.push(`agent steps will be refused: ${confinement.detail}`);
  const skipped = skippedChecks(ctx, input, mode);
  const requireAgents = input.requireCodex ?? false;
  const show = input.showEngines === true;
  const engines = (requireAgents || show) && policy.ok ? await engineDoctor(ctx, policy.policy, { probe: show }) : undefined;
  const base = { ...report, warnings, skipped, agent_confinement: confinement, offline_mode: mode, ...(engines ? { engines } : {}) };
  if (!requireAgents) return base;
  // Where agents run (--require-codex, the agent and manager gates), every engine the policy uses and a usable
  // sandbox are required.
  const withEngines = engines ? withEngineChecks(report, engines) : report;
  const check = { name: 'agent.isolation', ok: confinement.usable, detail: confinement.detail };
  const failures = check.ok ? withEngines.failures : [...withEngines.failures, `${check.name}: ${check.detail}`];
  return { ...base, ok: withEngines.ok && check.ok, failures, checks: [...withEngines.checks, check] };
}

/** What a gated command tells the gate (the CLI passes the command's own flags). */
export interface DoctorGateOptions {
  /** The command's `--network-timeout-sec`, else 5. */
  networkTimeoutSec?: number | undefined;
  /** The command's `--skip-network-check`: every profile honours it, so `manager-tick`, `run-manager-loop` and `drive` can pass offline. */
  skipNetwork?: boolean | undefined;
  /** `--offline`; without it the environment, the policy or the local set-up decide (see `resolveOfflineMode`). */
  offline?: boolean | undefined;
  /** The command's `--upstream-url` / `--fork-url`: checked when local, and they decide the automatic offline mode. */
  upstreamUrl?: string | undefined;
  forkUrl?: string | undefined;
  /** The command's `--github-api-url` (else `GITHUB_API_URL`). */
  githubApiUrl?: string | undefined;
  /** The bot's `--telegram-api-url` (else `AGENTPR_TELEGRAM_API_URL`). */
  telegramApiUrl?: string | undefined;
  /** `--telegram-token` was given, so the env token is not needed. */
  telegramTokenGiven?: boolean | undefined;
  /** `--secret` or `--allow-unsigned` was given, so the env secret is not needed. */
  webhookSecretGiven?: boolean | undefined;
  /** The command's `--database-url` / `--db`: the store the `read_only` profile opens (else `AGENTPR_DATABASE_URL`, else `<data>/agentpr.db`). */
  database?: DoctorStoreLocation | undefined;
  urls?: DoctorUrls;
  fetch?: FetchLike;
}

/**
 * The startup doctor gate: runs the doctor with the profile's checks and throws `gate_failed` naming the profile
 * and the first three failures, with a pointer to `agentpr doctor` (and, when a network check failed, the offline
 * switch and `--skip-doctor`). Returns the report when it passes.
 *
 * @example
 * await doctorGate(ctx, 'github', {}); // throws AgentprError('gate_failed', …) on a machine without git
 */
export async function doctorGate(ctx: DoctorContext, profile: GateProfileName, options: DoctorGateOptions = {}): Promise<DoctorReportWithSkips> {
  const p = GATE_PROFILES[profile];
  if (!p) throw new AgentprError('usage', `unknown doctor gate profile ${String(profile)}; use one of ${Object.keys(GATE_PROFILES).join(', ')}`);
  if (p.storeReadOnly) return gateVerdict(profile, await readOnlyDoctorReport(ctx, options.database, profile));
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
    checkTelegramApi: p.telegramApi,
    offline: options.offline,
    upstreamUrl: options.upstreamUrl,
    forkUrl: options.forkUrl,
    githubApiUrl: options.githubApiUrl,
    telegramApiUrl: options.telegramApiUrl,
    ...(options.urls ? { urls: options.urls } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  // A check the profile does not need is skipped for that reason; only a network check the profile needs was skipped by the flag.
  report.skipped = report.skipped.map((s) => {
    const name = s.slice(0, s.indexOf(': '));
    const needed = name.startsWith('net.') ? p.network : name === 'gh.auth' ? p.ghAuth : false;
    return needed ? s : `${name}: not needed by profile ${profile}`;
  });
  return gateVerdict(profile, report);
}

/** Throws `gate_failed` naming the profile and the first three failures; else returns the report. */
function gateVerdict(profile: GateProfileName, report: DoctorReportWithSkips): DoctorReportWithSkips {
  if (!report.ok) {
    const shown = report.failures.slice(0, 3).join('; ').replace(/\.$/, '');
    const more = report.failures.length > 3 ? ` (and ${report.failures.length - 3} more)` : '';
    const hint = report.failures.some((f) => f.startsWith('net.')) ? ` ${networkHint(report.offline_mode)}` : '';
    throw new AgentprError('gate_failed', `startup doctor gate (profile ${profile}) failed: ${shown}${more}.${hint} Run \`agentpr doctor\` for details.`, {
      details: { profile, failures: report.failures, offline_mode: report.offline_mode },
    });
  }
  return report;
}
