import {
  defaultManagerActions,
  runManagerLoop,
  tickOptions,
  type AppContext,
  type ManagerActionConfig,
  type ManagerFlags,
  type TickReport,
} from '@agentpr/orchestrator';

/** What the manager-loop service needs from its process. */
export interface ManagerLoopServiceInput {
  /** The app context with the store open (the service switches the actor to `manager` itself). */
  app: AppContext;
  flags: ManagerFlags;
  actions: ManagerActionConfig;
  /** Seconds between ticks (at least 1). */
  intervalSec: number;
  /** Stop after this many ticks; undefined runs until the signal aborts. */
  maxLoops?: number | undefined;
  /** After the signal aborts, running actions get this long before they are stopped. */
  shutdownGraceSec: number;
  /** SIGINT/SIGTERM: take no new work at once. */
  signal: AbortSignal;
  onTick(report: TickReport): void;
  /** One line when a stop was asked for (never contains a secret). */
  announce?: ((line: string) => void) | undefined;
}

/** How the loop ended: `interrupted` (Ctrl-C), `stopped` (SIGTERM), else whether every tick was ok. */
export type ManagerLoopServiceResult =
  | { kind: 'finished'; ok: boolean; ticks: number }
  | { kind: 'stopped'; signal: 'SIGINT' | 'SIGTERM'; ok: boolean; ticks: number };

/**
 * Runs the rule-based manager loop (`agentpr run-manager-loop`, `agentpr-manager`): reads the policy, ticks every
 * `intervalSec` until stopped or `maxLoops`, and on a stop takes no new work while running actions get
 * `shutdownGraceSec` to finish before their own signal aborts them.
 *
 * @example
 * await runManagerLoopService({ app, flags: {}, actions: {}, intervalSec: 300, shutdownGraceSec: 30, signal, onTick: print });
 */
export async function runManagerLoopService(input: ManagerLoopServiceInput): Promise<ManagerLoopServiceResult> {
  const app: AppContext = { ...input.app, actor: 'manager' };
  const options = await tickOptions(app, input.flags, input.signal);
  const actions = new AbortController();
  const grace = input.shutdownGraceSec * 1000;
  input.signal.addEventListener(
    'abort',
    () => {
      input.announce?.(`stopping: no new work; running actions get ${grace / 1000} s to finish`);
      setTimeout(() => actions.abort(new Error('shutdown')), grace).unref();
    },
    { once: true },
  );
  options.actionSignal = actions.signal;
  const result = await runManagerLoop(app, defaultManagerActions(input.actions), options, {
    intervalSec: input.intervalSec,
    maxLoops: input.maxLoops,
    signal: input.signal,
    onTick: input.onTick,
  });
  if (!input.signal.aborted) return { kind: 'finished', ...result };
  return { kind: 'stopped', signal: input.signal.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM', ...result };
}
