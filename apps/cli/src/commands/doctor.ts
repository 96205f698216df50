import { formatDuration } from '@agentpr/reports/format-duration';
import type { CommandSpec } from '../command.js';
import { flag, int, str } from '../values.js';

/** One engine as the doctor reports it. */
interface EngineRow {
  engine: string;
  used: boolean;
  used_by: string[];
  ok: boolean;
  detail: string;
}

/** The engines no check already shows: `engine <name>: <found/version or why not>; used by … | not used by the policy`. */
function engineLines(rows: readonly EngineRow[], checks: ReadonlySet<string>): string[] {
  return rows
    .filter((r) => !checks.has(`engine.${r.engine}`))
    .map((r) => `${r.used ? (r.ok ? 'ok  ' : 'warn') : 'info'}  engine ${r.engine}: ${r.detail}; ${r.used ? `used by ${r.used_by.join(', ')}` : 'not used by the policy'}`);
}

/** A terminal rendering of a doctor or preflight report: one line per check, the skipped checks, then warnings. */
export function renderReport(report: {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  warnings: string[];
  duration_ms: number;
  skipped?: string[];
  agent_confinement?: { isolation: string; detail: string };
  offline_mode?: { offline: boolean; reason: string };
  engines?: EngineRow[];
}): string {
  const width = Math.max(0, ...report.checks.map((c) => c.name.length));
  const confinementShown = report.checks.some((c) => c.name === 'agent.isolation');
  return [
    ...report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`),
    ...engineLines(report.engines ?? [], new Set(report.checks.map((c) => c.name))),
    ...(report.agent_confinement && !confinementShown ? [`agent confinement: ${report.agent_confinement.detail}`] : []),
    ...(report.offline_mode?.offline ? [`offline mode: on (${report.offline_mode.reason})`] : []),
    ...(report.skipped ?? []).map((s) => `skip  ${s}`),
    ...report.warnings.map((w) => `warning: ${w}`),
    `${report.ok ? 'ready' : 'not ready'} (${formatDuration(report.duration_ms)})`,
  ].join('\n');
}

/** `agentpr doctor`: is this machine ready? Exit 0 if ok, else 1. Offline mode (`--offline`) checks the local set-up instead of github.com. */
export const command: CommandSpec = {
  name: 'doctor',
  summary: 'Check that this machine is ready: workspace root, git, GitHub access, network, and what the flags ask for.',
  example: 'agentpr doctor --require-codex --network-timeout-sec 3   |   agentpr --offline doctor --upstream-url /srv/up.git --fork-url /srv/fork.git',
  options: {
    'skip-network-check': { type: 'boolean', description: 'do not probe github.com and the registries' },
    'network-timeout-sec': { type: 'string', value: 'N', description: 'HTTP timeout per URL check (default 5, at least 1)' },
    'no-require-gh-auth': { type: 'boolean', description: 'do not check GitHub credentials (GITHUB_TOKEN/GH_TOKEN or gh auth)' },
    'require-codex': { type: 'boolean', description: 'also require the engines the policy uses (codex, claude), the sandbox and the package registries' },
    'require-telegram-token': { type: 'boolean', description: 'also check AGENTPR_TELEGRAM_BOT_TOKEN' },
    'require-webhook-secret': { type: 'boolean', description: 'also check AGENTPR_GITHUB_WEBHOOK_SECRET' },
    'require-gh': { type: 'boolean', description: 'also require the gh CLI itself on PATH' },
    'upstream-url': { type: 'string', value: 'URL', description: 'also check this remote when it is local (exists, is a git repository); local remotes turn offline mode on' },
    'fork-url': { type: 'string', value: 'URL', description: 'the same for the fork' },
    'github-api-url': { type: 'string', value: 'URL', description: 'the GitHub API to probe (default GITHUB_API_URL, else api.github.com); a loopback one turns offline mode on' },
  },
  async run(ctx, values) {
    const { hostIdentity, runDoctor } = await import('@agentpr/orchestrator');
    const { kind, report } = await runDoctor(ctx.base, {
      skipNetworkCheck: flag(values, 'skip-network-check'),
      networkTimeoutSec: int(values, 'network-timeout-sec', { min: 1, default: 5 }),
      requireGhAuth: !flag(values, 'no-require-gh-auth'),
      requireCodex: flag(values, 'require-codex'),
      showEngines: true,
      requireTelegramToken: flag(values, 'require-telegram-token'),
      requireWebhookSecret: flag(values, 'require-webhook-secret'),
      requireGh: flag(values, 'require-gh'),
      upstreamUrl: str(values, 'upstream-url'),
      forkUrl: str(values, 'fork-url'),
      githubApiUrl: str(values, 'github-api-url'),
    });
    // Every host sharing one database needs its own id: it names the lease holders and the workspace's host.
    const host = hostIdentity(ctx.base.env);
    const hostLine = host.ok ? `host: ${host.id} (from ${host.source})` : `FAIL  host: ${host.error}`;
    const ready = kind === 'ready' && host.ok;
    return { output: { ...report, ok: ready, host }, status: ready ? 'ok' : 'failed', text: `${hostLine}\n${renderReport({ ...report, ok: ready })}` };
  },
};
