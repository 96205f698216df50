import { runService, type ServiceIo, type ServiceSpec } from '@agentpr/app-kit';
import { assertBindAllowed, dashboardToken } from './auth.js';
import { DASHBOARD_FLAGS, DASHBOARD_HELP, parseDashboardArgs, type DashboardArgs } from './parse-flags.js';
import { dashboardDeps, startDashboard } from './run-dashboard.js';

/**
 * The dashboard as a service: `agentpr-dashboard` runs it with `runService`, `agentpr dashboard` with the CLI's
 * context. The store is opened read-only; its startup gate (profile `read_only`) checks only that the store can be
 * read, so it passes on a read-only data directory. A non-loopback `--host` without `AGENTPR_DASHBOARD_TOKEN`, or a token
 * shorter than 16 characters, is refused before listening (usage, exit 2). Prints one JSON line with the URL when
 * listening; SIGTERM ends it `ok` (0) and Ctrl-C `interrupted` (130), live streams closed at once.
 */
export const DASHBOARD_SERVICE: ServiceSpec<DashboardArgs> = {
  bin: 'agentpr-dashboard',
  name: 'dashboard',
  command: 'dashboard',
  help: DASHBOARD_HELP,
  flags: DASHBOARD_FLAGS,
  gate: 'read_only',
  store: 'read-only',
  parse: parseDashboardArgs,
  async run(app, args, io) {
    const token = dashboardToken(app.env.AGENTPR_DASHBOARD_TOKEN);
    assertBindAllowed(args.host, token);
    const running = await startDashboard(dashboardDeps(app), { ...args, token });
    io.stdout.write(`${JSON.stringify(running.info)}\n`);
    io.announce(`dashboard on ${running.info.url} (read-only${token ? ', token required' : ''}). Stop with Ctrl-C or SIGTERM.`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await running.close();
    return { status: io.signal.reason === 'SIGINT' ? 'interrupted' : 'ok', output: { ok: true, stopped: true } };
  },
};

/**
 * `agentpr-dashboard [flags]`: the read-only web dashboard as its own program, the same as `agentpr dashboard`.
 * Exit 0 after SIGTERM, 1 for a failed start, 2 for bad flags (and a refused bind or token), 130 after Ctrl-C.
 */
export function main(argv: string[], io: ServiceIo): Promise<number> {
  return runService(DASHBOARD_SERVICE, argv, io);
}
