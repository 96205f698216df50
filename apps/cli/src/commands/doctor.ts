import { formatDuration } from '@agentpr/reports/format-duration';
import type { CommandSpec } from '../command.js';
import { flag, int } from '../values.js';

/** A terminal rendering of a doctor or preflight report: one line per check, the skipped checks, then warnings. */
export function renderReport(report: {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  warnings: string[];
  duration_ms: number;
  skipped?: string[];
  agent_confinement?: { isolation: string; detail: string };
}): string {
  const width = Math.max(0, ...report.checks.map((c) => c.name.length));
  const confinementShown = report.checks.some((c) => c.name === 'agent.isolation');
  return [
    ...report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`),
    ...(report.agent_confinement && !confinementShown ? [`agent confinement: ${report.agent_confinement.detail}`] : []),
    ...(report.skipped ?? []).map((s) => `skip  ${s}`),
    ...report.warnings.map((w) => `warning: ${w}`),
    `${report.ok ? 'ready' : 'not ready'} (${formatDuration(report.duration_ms)})`,
  ].join('\n');
}

/** `agentpr doctor`: is this machine ready (SPEC §3.1)? Exit 0 if ok, else 1. */
export const command: CommandSpec = {
  name: 'doctor',
  summary: 'Check that this machine is ready: workspace root, git, GitHub access, network, and what the flags ask for.',
  example: 'agentpr doctor --require-codex --network-timeout-sec 3',
  options: {
    'skip-network-check': { type: 'boolean', description: 'do not probe github.com and the registries' },
    'network-timeout-sec': { type: 'string', value: 'N', description: 'HTTP timeout per URL check (default 5, at least 1)' },
    'no-require-gh-auth': { type: 'boolean', description: 'do not check GitHub credentials (GITHUB_TOKEN/GH_TOKEN or gh auth)' },
    'require-codex': { type: 'boolean', description: 'also check the codex binary and the package registries' },
    'require-telegram-token': { type: 'boolean', description: 'also check AGENTPR_TELEGRAM_BOT_TOKEN' },
    'require-webhook-secret': { type: 'boolean', description: 'also check AGENTPR_GITHUB_WEBHOOK_SECRET' },
    'require-gh': { type: 'boolean', description: 'also require the gh CLI itself on PATH' },
  },
  async run(ctx, values) {
    const { runDoctor } = await import('@agentpr/orchestrator');
    const { kind, report } = await runDoctor(ctx.base, {
      skipNetworkCheck: flag(values, 'skip-network-check'),
      networkTimeoutSec: int(values, 'network-timeout-sec', { min: 1, default: 5 }),
      requireGhAuth: !flag(values, 'no-require-gh-auth'),
      requireCodex: flag(values, 'require-codex'),
      requireTelegramToken: flag(values, 'require-telegram-token'),
      requireWebhookSecret: flag(values, 'require-webhook-secret'),
      requireGh: flag(values, 'require-gh'),
    });
    return { output: report, status: kind === 'ready' ? 'ok' : 'failed', text: renderReport(report) };
  },
};
