import type { CommandSpec } from '../command.js';
import { flag, int, requireStr, str } from '../values.js';
import { renderReport } from './doctor.js';

/** `agentpr run-preflight`: can an agent work in this run's workspace? Exit 0 if ok, else 1. */
export const command: CommandSpec = {
  name: 'run-preflight',
  summary: "Check the run's workspace: inside the root, writable .git, toolchain, sandbox; writes a report.",
  example: 'agentpr run-preflight --run-id run_45f3cbdcdc56 --skip-network-check',
  options: {
    'run-id': { type: 'string', value: 'ID', description: 'the run', required: true },
    'skip-network-check': { type: 'boolean', description: 'do not probe the package registries' },
    'network-timeout-sec': { type: 'string', value: 'N', description: 'HTTP timeout per URL check (default 5, at least 1)' },
    'codex-sandbox': { type: 'string', value: 'MODE', description: 'read-only | workspace-write | danger-full-access (default)' },
  },
  async run(ctx, values) {
    const { runPreflight } = await import('@agentpr/orchestrator');
    const { kind, report, reportPath } = await runPreflight(await ctx.app(), {
      runId: requireStr(values, 'run-id'),
      skipNetworkCheck: flag(values, 'skip-network-check'),
      networkTimeoutSec: int(values, 'network-timeout-sec', { min: 1, default: 5 }),
      codexSandbox: str(values, 'codex-sandbox'),
    });
    return { output: report, status: kind === 'ready' ? 'ok' : 'failed', text: `${renderReport(report)}\nreport: ${reportPath}` };
  },
};
