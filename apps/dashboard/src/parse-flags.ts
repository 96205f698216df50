import { serviceHelp, str, type AppGlobals, type FlagSpec, type FlagValues } from '@agentpr/app-kit';
import { parseTrustedProxies } from '@agentpr/app-kit/client-address';
import { AgentprError } from '@agentpr/orchestrator/errors';

/** The flags of `agentpr-dashboard` and `agentpr dashboard` (the global flags come on top). */
export const DASHBOARD_FLAGS: Record<string, FlagSpec> = {
  host: { type: 'string', value: 'HOST', description: 'listen address (default 127.0.0.1; any other needs AGENTPR_DASHBOARD_TOKEN)' },
  port: { type: 'string', value: 'N', description: 'port (default 8790; 0 picks a free one)' },
  'live-poll-ms': { type: 'string', value: 'N', description: 'how often live pages look for changed runs (default 1000, 200..60000)' },
  'trusted-proxy': {
    type: 'string',
    value: 'ADDR[,ADDR]',
    description: 'proxies whose X-Real-IP names the client and whose X-Forwarded-Proto is believed (behind the nginx template: 127.0.0.1)',
  },
};

/** The one-line summary of `agentpr dashboard`. */
export const DASHBOARD_SUMMARY = 'Serve the read-only web dashboard (runs, evidence, bottlenecks, campaigns, webhook health, approvals).';

/** Help of `agentpr-dashboard`; its first line names the CLI command it is. */
export const DASHBOARD_HELP = serviceHelp({
  command: 'dashboard',
  summary: DASHBOARD_SUMMARY,
  bin: 'agentpr-dashboard',
  flags: DASHBOARD_FLAGS,
  stdout:
    'The store is opened read-only. Without AGENTPR_DASHBOARD_TOKEN the dashboard serves loopback only; with it (16+ characters) ' +
    'every page needs the token (Authorization: Bearer, or the /login form), and any --host may be used. A non-loopback --host ' +
    'without the token, or a shorter token, is refused before listening (exit 2). The listening line (with the URL to open) and ' +
    'the stop summary go to stdout.',
  example: 'agentpr-dashboard --port 8790   # then open http://127.0.0.1:8790/ (behind the nginx template: --trusted-proxy 127.0.0.1)',
});

/** The parsed command line of the dashboard. */
export interface DashboardArgs {
  host: string;
  port: number;
  livePollMs: number;
  /** `--trusted-proxy`: socket peers whose `X-Real-IP` and `X-Forwarded-Proto` are believed; none by default. */
  trustedProxies: string[];
}

/** Reads and validates the dashboard's flag values; a bad one is a `usage` error naming the flag. */
export function parseDashboardArgs(values: FlagValues, _globals: Pick<AppGlobals, 'databaseUrl' | 'db'>): DashboardArgs {
  const host = str(values, 'host')?.trim() || '127.0.0.1';
  const port = intFlag(values, 'port', 8790, 0, 65535);
  const livePollMs = intFlag(values, 'live-poll-ms', 1000, 200, 60_000);
  const trustedProxies = parseTrustedProxies(str(values, 'trusted-proxy')) ?? [];
  return { host, port, livePollMs, trustedProxies };
}

function intFlag(values: FlagValues, name: string, fallback: number, min: number, max: number): number {
  const raw = str(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new AgentprError('usage', `--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return n;
}
