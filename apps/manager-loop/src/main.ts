import { runService, type ServiceIo, type ServiceSpec } from '@agentpr/app-kit';
import { MANAGER_LOOP_FLAGS, MANAGER_LOOP_HELP, parseManagerLoopArgs, type ManagerLoopArgs } from './parse-flags.js';
import { renderTick } from './render-tick.js';
import { runManagerLoopService } from './run-manager-loop-service.js';

/**
 * The manager loop as a service: `agentpr-manager` runs it with `runService`, `agentpr run-manager-loop` with the
 * CLI's context. Tick reports go to stdout (JSON lines when not a terminal); Ctrl-C ends `interrupted` (130),
 * SIGTERM `ok`, `--max-loops` `ok` when every tick was ok, else `failed`.
 */
export const MANAGER_LOOP_SERVICE: ServiceSpec<ManagerLoopArgs> = {
  bin: 'agentpr-manager',
  name: 'manager-loop',
  command: 'run-manager-loop',
  help: MANAGER_LOOP_HELP,
  flags: MANAGER_LOOP_FLAGS,
  gate: 'manager',
  parse: parseManagerLoopArgs,
  async run(app, args, io) {
    io.log.info('manager loop starting', { interval_sec: args.intervalSec, max_loops: args.maxLoops ?? null, concurrency: args.flags.concurrency ?? 1 });
    const result = await runManagerLoopService({
      app,
      flags: args.flags,
      actions: args.actions,
      intervalSec: args.intervalSec,
      maxLoops: args.maxLoops,
      shutdownGraceSec: args.shutdownGraceSec,
      signal: io.signal,
      announce: (line) => io.announce(line),
      onTick: (report) => {
        io.log.info('tick', { ok: report.ok, run_count: report.run_count, progressed_count: report.progressed_count, failed_count: report.failed_count });
        io.stdout.write(`${io.json ? JSON.stringify(report) : renderTick(report)}\n`);
      },
    });
    io.log.info('manager loop stopped', { ticks: result.ticks, ok: result.ok, ...(result.kind === 'stopped' ? { signal: result.signal } : {}) });
    switch (result.kind) {
      case 'stopped':
        // Ctrl-C exits 130; SIGTERM (a service manager stopping us) is a clean stop.
        return { status: result.signal === 'SIGINT' ? 'interrupted' : 'ok' };
      case 'finished':
        return { status: result.ok ? 'ok' : 'failed' };
      default: {
        const never: never = result;
        return never;
      }
    }
  },
};

/**
 * `agentpr-manager [flags]`: the manager loop as its own program, the same as `agentpr run-manager-loop [flags]`.
 * Tick reports go to stdout (JSON lines when stdout is not a terminal), logs to stderr. Exit 0 after SIGTERM or
 * when every tick of `--max-loops` was ok, 1 when one failed, 2 for bad flags, 130 after Ctrl-C.
 */
export function main(argv: string[], io: ServiceIo): Promise<number> {
  return runService(MANAGER_LOOP_SERVICE, argv, io);
}
